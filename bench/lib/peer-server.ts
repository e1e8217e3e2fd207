/**
 * Starts and checks the `http` benchmark's peer (peer-ofrep-server.mjs: a Node OFREP server over
 * flagd-core) on the same flags Rollgate serves, so each table shows the same requests served by
 * the evaluator most OFREP users would otherwise run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateFlag } from '../../src/core/flags/flag-set';
import type { LoadedSnapshot } from '../../src/store/loaded-snapshot';
import { REPO_ROOT } from './paths';

export interface PeerServer {
  url: string;
  pid: number;
  dispose(): void;
}

/** Spawns the peer on `flagdJson` (a flagd document), accepting `Bearer <key>`. */
export async function startPeer(flagdJson: string, key: string): Promise<PeerServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-peer-'));
  const file = join(dir, 'flags.json');
  writeFileSync(file, flagdJson);
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bench/lib/peer-ofrep-server.mjs'), file, key], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const line = /\{"port":\s*(\d+)\}/.exec(out);
      if (line) resolve(Number(line[1]));
    });
    child.once('exit', (code) => reject(new Error(`the peer OFREP server exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    dispose: () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The flagd document inside a snapshot's KV text, envelope removed and every `{"$ref": name}`
 * replaced by the shared rule it names, recursively. flagd-core resolves `$ref` in flag targeting
 * but not inside `$evaluators` (staging's is_staff_or_beta refers to two others, which flagd-core
 * answers PARSE_ERROR); inlined, both evaluators run the same logic.
 */
export function flagdDocumentOf(raw: string): string {
  const { $rollgate: _envelope, $evaluators, ...doc } = JSON.parse(raw) as Record<string, unknown>;
  const shared = ($evaluators ?? {}) as Record<string, unknown>;
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (typeof node !== 'object' || node === null) return node;
    const obj = node as Record<string, unknown>;
    const ref = obj['$ref'];
    if (typeof ref === 'string' && Object.keys(obj).length === 1 && Object.hasOwn(shared, ref)) return inline(shared[ref]);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, inline(v)]));
  };
  return JSON.stringify(inline(doc));
}

/**
 * Checks that the peer answers `flag` as Rollgate's evaluator does (value, variant, reason) for
 * each context, and that its bulk answer lists every enabled flag; throws otherwise.
 */
export async function checkPeer(
  peer: PeerServer,
  snapshot: LoadedSnapshot,
  flag: string,
  contexts: readonly Record<string, unknown>[],
  headers: Record<string, string>,
): Promise<string> {
  const mismatches: string[] = [];
  for (const [i, context] of contexts.entries()) {
    const body = JSON.stringify({ context });
    const got = await (await fetch(`${peer.url}/ofrep/v1/evaluate/flags/${flag}`, { method: 'POST', headers, body })).json<Record<string, unknown>>();
    const want = evaluateFlag(snapshot.flags, flag, context, Date.now());
    if (got['value'] !== want.value || got['variant'] !== want.variant || got['reason'] !== want.reason) {
      mismatches.push(`context #${i}: peer ${JSON.stringify(got)}, Rollgate ${want.reason}:${want.variant}=${JSON.stringify(want.value)}`);
    }
    if (mismatches.length >= 5) break;
  }
  const bulk = await (
    await fetch(`${peer.url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers, body: JSON.stringify({ context: contexts[0] }) })
  ).json<{
    flags: unknown[];
  }>();
  // flagd-core's resolveAll leaves out disabled flags and value-less answers (no default variant).
  const valued = snapshot.flags.list.filter((f) => f.evaluate(contexts[0]!, Math.floor(Date.now() / 1000)).value !== undefined).length;
  if (bulk.flags.length !== valued) mismatches.push(`peer bulk lists ${bulk.flags.length} flags, Rollgate's bulk has ${valued} with a value`);
  if (mismatches.length) throw new Error(`the peer's answers differ from Rollgate's:\n  ${mismatches.join('\n  ')}`);
  return `Peer check: for ${contexts.length} seeded contexts the peer's ${flag} value, variant and reason equal Rollgate's evaluator's; its bulk answer lists the ${valued} flags that have a value (flagd-core's resolveAll leaves out disabled flags and value-less answers, which Rollgate lists). The peer's document has \`$ref\`s inlined: flagd-core does not resolve a \`$ref\` inside \`$evaluators\`.`;
}
