// Builds the publishable package into dist/: one ESM bundle per entry (esbuild, code shared
// between entries in a common chunk, so RequestScope is one class), with the server's pure sketch
// and report bounds (src/core/metrics, imported by relative path) compiled in, and declarations
// from tsc. The result depends on nothing in this repository.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: { index: join(here, 'src/index.ts'), node: join(here, 'src/node.ts') },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['@openfeature/*', 'hono', 'hono/*', 'node:*'],
  logLevel: 'warning',
});
execFileSync(
  process.execPath,
  [join(here, '../../node_modules/typescript/bin/tsc'), '-p', join(here, 'tsconfig.json'), '--declaration', '--emitDeclarationOnly'],
  { stdio: 'inherit' },
);
for (const entry of ['index', 'node']) writeFileSync(join(dist, `${entry}.d.ts`), `export * from './types/sdk/openfeature/src/${entry}';\n`);
