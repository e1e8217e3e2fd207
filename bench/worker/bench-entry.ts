/**
 * The bench's Worker build (never deployed): Rollgate's production Worker with one bench-only
 * route in front of it, the POST floor. `wrangler deploy --dry-run` bundles this file instead of
 * src/index.ts (bench/lib/workerd-build.ts); every other request goes to Rollgate's own fetch
 * unchanged, after one method and path comparison.
 *
 * POST /__bench/post-floor reads and parses the request body the way an OFREP route must (the
 * whole body as text, JSON.parse) and answers a constant JSON of the size of the timed OFREP answer
 * (the first request's `x-bench-floor-bytes` header; kept for the isolate's life): what any
 * Worker pays for that request and that answer, whatever it evaluates. OFREP is a POST with a
 * body, so this is the floor its budget is judged against.
 */
import worker from '../../src/index';

export { MetricsShard, RolloutCoordinator } from '../../src/index';

/** Kept equal to bench/http.ts's POST_FLOOR_PATH. */
const POST_FLOOR_PATH = '/__bench/post-floor';

const JSON_TYPE = { 'content-type': 'application/json' };
let constant: string | undefined;

/** `{"floor":"xx…"}` padded to `bytes` (ASCII, so characters = bytes). */
function constantOf(bytes: number): string {
  const shell = '{"floor":""}';
  return `{"floor":"${'x'.repeat(Math.max(0, bytes - shell.length))}"}`;
}

async function postFloor(request: Request): Promise<Response> {
  const body: unknown = JSON.parse(await request.text());
  if (typeof body !== 'object' || body === null) return new Response('{"error":"not an object"}', { status: 400, headers: JSON_TYPE });
  constant ??= constantOf(Number(request.headers.get('x-bench-floor-bytes') ?? '300'));
  return new Response(constant, { status: 200, headers: JSON_TYPE });
}

export default {
  fetch(request, env, ctx) {
    if (request.method === 'POST' && request.url.endsWith(POST_FLOOR_PATH)) return postFloor(request);
    return worker.fetch(request, env, ctx);
  },
  scheduled: worker.scheduled,
} satisfies ExportedHandler<Env>;
