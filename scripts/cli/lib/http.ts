import type { ErrorCode } from '../../../src/core/api/error-codes';
import { CliError, EXIT } from './errors';
import { describeTokenSource, isLoopback, type Target } from './target';

/** A JSON error body of the admin API: `{error, errors?: [{path, message}], ...}`. */
export interface ApiErrorBody {
  error?: string;
  /** The admin and metrics APIs' machine code (README "Error codes"). */
  code?: ErrorCode;
  errorDetails?: string;
  errors?: { path?: string; message?: string }[];
  warnings?: { path?: string; message?: string }[];
  [key: string]: unknown;
}

/** A non-2xx answer of the API, with a message that says what happened and what to do. */
export class ApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly body: ApiErrorBody,
    details: readonly string[] = [],
  ) {
    super(message, EXIT.failure, details);
    this.name = 'ApiError';
  }
}

/** An answer of the API. */
export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** False for public routes such as /health. */
  auth?: boolean;
  /** The environment the request is about, named in 401/403 messages. */
  environment?: string;
  /** Statuses to return instead of throwing (e.g. 503 from /health). */
  accept?: readonly number[];
}

const TIMEOUT_MS = 30_000;

/** A small client for Rollgate's HTTP API; every failure becomes a CliError an operator can act on. */
export class AdminClient {
  constructor(
    readonly target: Target,
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {}

  get<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  /** `/admin/v1/environments/{env}` + rest. */
  envPath(environment: string, rest = ''): string {
    return `/admin/v1/environments/${encodeURIComponent(environment)}${rest}`;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const { url, token, tokenSource } = this.target;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.auth !== false) {
      if (token === null) {
        throw new CliError(`no admin token for ${url}: pass --token or set ROLLGATE_TOKEN (the development token is only used for loopback URLs)`, EXIT.usage);
      }
      headers['authorization'] = `Bearer ${token}`;
    }
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(`${url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw networkError(err, this.target, this.timeoutMs);
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: text.slice(0, 200) };
      }
    }
    if ((res.status >= 200 && res.status < 300) || options.accept?.includes(res.status)) {
      return { status: res.status, headers: res.headers, body: parsed as T };
    }
    const errBody = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ApiErrorBody;
    throw httpError(res.status, errBody, { target: this.target, tokenSource, environment: options.environment, method, path });
  }
}

/** The first error `code` found in an error's cause chain (fetch wraps the socket error). */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string') return e.code;
  const fromCause = errorCode(e.cause, depth + 1);
  if (fromCause) return fromCause;
  if (Array.isArray(e.errors))
    for (const inner of e.errors) {
      const c = errorCode(inner, depth + 1);
      if (c) return c;
    }
  return undefined;
}

/** What a failed connection means for the operator. */
export function networkError(err: unknown, target: Target, timeoutMs = TIMEOUT_MS): CliError {
  const url = target.url;
  const loopback = isLoopback(new URL(url));
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new CliError(`Rollgate at ${url} did not answer within ${Math.round(timeoutMs / 1000)} s — is it overloaded, or is --url / ROLLGATE_URL right?`);
  }
  const code = errorCode(err);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EADDRNOTAVAIL') {
    return new CliError(
      loopback ? `no Rollgate at ${url} — is \`npm start\` running?` : `no Rollgate at ${url} (connection refused) — check --url / ROLLGATE_URL`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new CliError(`cannot resolve the host of ${url} — check --url / ROLLGATE_URL`);
  }
  const why = code ?? (err as Error | null)?.message ?? String(err);
  return new CliError(`cannot reach Rollgate at ${url} (${why}) — check --url / ROLLGATE_URL and your network`);
}

/** Lines for `errors: [{path, message}]` (and warnings), one per issue. */
export function issueLines(body: ApiErrorBody): string[] {
  const lines: string[] = [];
  for (const e of body.errors ?? []) lines.push(`error   ${e.path ?? '/'}: ${e.message ?? ''}`);
  for (const w of body.warnings ?? []) lines.push(`warning ${w.path ?? '/'}: ${w.message ?? ''}`);
  return lines;
}

/** What an HTTP failure means for the operator. */
export function httpError(
  status: number,
  body: ApiErrorBody,
  ctx: { target: Target; tokenSource: Target['tokenSource']; environment?: string | undefined; method: string; path: string },
): ApiError {
  const said = body.error ?? body.errorDetails ?? '';
  const where = ctx.environment ? ` for environment "${ctx.environment}"` : '';
  const token = describeTokenSource(ctx.tokenSource);
  switch (status) {
    case 401: {
      const fix =
        ctx.tokenSource === 'flag'
          ? 'check the value of --token'
          : ctx.tokenSource === 'env'
            ? 'check ROLLGATE_TOKEN, or pass the right token with --token'
            : 'pass a token with --token or set ROLLGATE_TOKEN';
      return new ApiError(`401 Unauthorized${where}: Rollgate at ${ctx.target.url} rejected ${token}${said ? ` (${said})` : ''} — ${fix}`, status, body);
    }
    case 403:
      return new ApiError(
        `403 Forbidden${where}: ${token} is not allowed to do this${said ? ` (${said})` : ''} — use a token whose role and environments allow it`,
        status,
        body,
      );
    case 422:
      return new ApiError(`422 ${said || 'the request is invalid'}${body.errors?.length ? ':' : ''}`, status, body, issueLines(body));
    case 404:
      return new ApiError(`404 ${said || `no route for ${ctx.method} ${ctx.path} — is ${ctx.target.url} a Rollgate?`}`, status, body);
    default:
      if (status >= 500)
        return new ApiError(
          `Rollgate answered ${status}${said ? `: ${said}` : ''} — try again; if it persists, check the Worker's logs (wrangler tail)`,
          status,
          body,
        );
      return new ApiError(`${status} ${said || 'request failed'}`, status, body, issueLines(body));
  }
}
