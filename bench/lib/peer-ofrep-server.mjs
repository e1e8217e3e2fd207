// The peer of the `http` benchmark: a small Node OFREP server over @openfeature/flagd-core, the
// reference evaluator most OFREP users would otherwise run, serving the same flags and the same
// requests as Rollgate's cases (single, bulk with ETag, bulk 304). Its own process, so its CPU
// time is its own. flagd-core runs with `disableDynamicCodeGeneration: true` (its JSON Logic
// interpreter), as it would have to on Workers. Plain JavaScript: no TypeScript loader here.
//
// argv[2]: path of a flagd JSON document; argv[3]: the accepted bearer key.
// stdout: one line `{"port": N}` once listening.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { FlagdCore } from '@openfeature/flagd-core';
import { Buffer } from 'node:buffer';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const json = readFileSync(process.argv[2], 'utf8');
const auth = `Bearer ${process.argv[3]}`;
const core = new FlagdCore(undefined, silent, { disableDynamicCodeGeneration: true });
core.setConfigurations(json);

// OFREP has no type in the request; flagd-core's resolve needs one: the type of the flag's variants.
const types = new Map();
for (const [key, flag] of Object.entries(JSON.parse(json).flags)) {
  const v = Object.values(flag.variants ?? {})[0];
  types.set(key, typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'object');
}
const fallbacks = { boolean: false, string: '', number: 0, object: {} };
const SINGLE = '/ofrep/v1/evaluate/flags/';
const BULK = '/ofrep/v1/evaluate/flags';
const JSON_TYPE = { 'content-type': 'application/json' };

function detailJson(key, r) {
  if (r.errorCode) return JSON.stringify({ key, errorCode: r.errorCode, errorDetails: r.errorMessage, metadata: r.flagMetadata });
  return JSON.stringify({ key, reason: r.reason, variant: r.variant, value: r.value, metadata: r.flagMetadata });
}

function answer(req, res, text) {
  if (req.headers.authorization !== auth) return void res.writeHead(401).end();
  let context;
  try {
    context = JSON.parse(text).context ?? {};
  } catch {
    return void res.writeHead(400, JSON_TYPE).end('{"errorCode":"INVALID_CONTEXT"}');
  }
  if (req.url.startsWith(SINGLE)) {
    const key = decodeURIComponent(req.url.slice(SINGLE.length));
    const type = types.get(key);
    if (type === undefined) return void res.writeHead(404, JSON_TYPE).end(JSON.stringify({ key, errorCode: 'FLAG_NOT_FOUND' }));
    const r = core.resolve(type, key, fallbacks[type], context, silent);
    return void res.writeHead(r.errorCode ? 400 : 200, JSON_TYPE).end(detailJson(key, r));
  }
  if (req.url === BULK) {
    let body = '{"flags":[';
    const all = core.resolveAll(context, silent);
    for (let i = 0; i < all.length; i++) body += (i ? ',' : '') + detailJson(all[i].flagKey, all[i]);
    body += `],"metadata":${JSON.stringify(core.getFlagSetMetadata())}}`;
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    return void res.writeHead(200, { ...JSON_TYPE, etag }).end(body);
  }
  res.writeHead(404).end();
}

const server = createServer((req, res) => {
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
