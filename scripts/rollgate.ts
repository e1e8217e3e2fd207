// The rollgate admin CLI (see `rollgate --help` and docs/RUNBOOK.md). Started by scripts/rollgate.mjs
// with the project's Node 22 and tsx; can also be run directly: `npx tsx scripts/rollgate.ts …`.
import { exitQuietlyOnBrokenPipe, processIo } from './cli/lib/io';
import { main } from './cli/main';

exitQuietlyOnBrokenPipe([process.stdout, process.stderr], () => process.exit(process.exitCode ?? 0));
process.exitCode = await main(process.argv.slice(2), processIo());
