/**
 * Writes tests/behaviour/events.json from the current build (see lock.ts).
 * `--add` records only scenarios the fixture does not have yet (a new protocol's quick start),
 * leaving every recorded entry as it is. `--only NAME` (repeatable) re-records just the named
 * entries, on purpose, leaving the others. Without a flag it rewrites the whole fixture; any
 * other argument is refused, so a mistyped flag cannot re-record everything.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { eventDigest, lockedScenarios, SEEDS } from './lock';

const USAGE = `usage: npx tsx tests/behaviour/record.ts [--add | --only NAME ...]
  (no flag)    re-record every entry of tests/behaviour/events.json
  --add        record only the scenarios the fixture does not have yet
  --only NAME  re-record only the entry NAME (repeatable), e.g. --only 'quick start: raft'
  --help       this text`;

const args = process.argv.slice(2);
let add = false;
const only: string[] = [];
for (let k = 0; k < args.length; k++) {
  const a = args[k]!;
  if (a === '--add') add = true;
  else if (a === '--only' && k + 1 < args.length) only.push(args[++k]!);
  else {
    if (a !== '--help') console.error(`record.ts: unknown argument ${JSON.stringify(a)}`);
    console.log(USAGE);
    process.exit(a === '--help' ? 0 : 2);
  }
}
if (add && only.length > 0) {
  console.error('record.ts: --add and --only do not go together');
  process.exit(2);
}

const file = 'tests/behaviour/events.json';
const keep = add || only.length > 0;
const out: Record<string, string[]> = keep && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
const scenarios = lockedScenarios();
const unknown = only.filter((n) => !scenarios.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`record.ts: no locked scenario named ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  process.exit(2);
}
let recorded = 0;
for (const { name, scenario } of scenarios) {
  if (only.length > 0 ? !only.includes(name) : out[name] !== undefined) continue;
  out[name] = SEEDS.map((seed) => eventDigest(scenario, seed));
  recorded++;
}
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(
  `${recorded} scenarios recorded x ${SEEDS.length} seeds (${Object.keys(out).length} in the fixture)`,
);
