import type { WireReport } from '../src/aggregates';

/** A POST the fake server received. */
export interface Received {
  url: string;
  authorization: string | null;
  reports: WireReport[];
}

/**
 * A fetch that records every metrics POST and answers from `answers` in order (the last one
 * repeats); an Error answer is thrown as a network failure. Test support only: not exported by the package.
 */
export function fakeFetch(answers: Array<Response | Error | (() => Response)>): { fetch: typeof fetch; received: Received[] } {
  const received: Received[] = [];
  let i = 0;
  const fn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as { reports: WireReport[] };
    const headers = new Headers(init?.headers);
    received.push({ url: input instanceof Request ? input.url : input.toString(), authorization: headers.get('authorization'), reports: body.reports });
    const answer = answers[Math.min(i++, answers.length - 1)];
    if (answer === undefined) throw new Error('fakeFetch: no answers');
    if (answer instanceof Error) throw answer;
    return typeof answer === 'function' ? answer() : answer.clone();
  };
  return { fetch: fn, received };
}

export function accepted(): Response {
  return new Response('{"accepted":1}', { status: 202 });
}

/** A settable clock. */
export function clock(start: number): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v), advance: (ms) => (t += ms) };
}
