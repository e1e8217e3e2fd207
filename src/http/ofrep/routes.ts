import { type Context, Hono } from 'hono';
import type { AppEnv } from '../types';
import { evaluateBulk, evaluateSingle, type EvaluationCall } from './evaluate';
import { streamResponse } from './stream';

/** OFREP: single and bulk evaluation, authenticated by client key (also served by fast-path.ts, around the router). */
export const ofrepRoutes = new Hono<AppEnv>();

const callOf = (c: Context<AppEnv>): EvaluationCall => ({
  request: c.req.raw,
  env: c.env,
  waitUntil: (work) => c.executionCtx.waitUntil(work),
  runtime: c.get('runtime'),
  now: c.get('now'),
});

ofrepRoutes.post('/evaluate/flags/:key', (c) => evaluateSingle(callOf(c), c.req.param('key')));
ofrepRoutes.post('/evaluate/flags', (c) => evaluateBulk(callOf(c)));

/** OFREP event stream (SSE): the URL comes from the bulk response's `eventStreams`. */
ofrepRoutes.get('/stream', (c) => streamResponse(c, c.get('streams'), c.get('clock')));
