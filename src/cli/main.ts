/**
 * Entry of the `dslab` command (`npx dslab`, `npm run -s lab -- <command>`, bin/dslab.mjs). The logic lives in
 * cli.ts so tests can run it in-process; this file only binds it to the process.
 */
import { runCli } from './cli';
import { processIo } from './io';

process.exitCode = await runCli(process.argv.slice(2), processIo());
