/**
 * Writes tests/behaviour/events.json from the current build (see lock.ts).
 * `--add` records only scenarios the fixture does not have yet (a new protocol's quick start),
 * leaving every recorded entry as it is.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { eventDigest, lockedScenarios, SEEDS } from './lock';

const file = 'tests/behaviour/events.json';
const add = process.argv.includes('--add');
const out: Record<string, string[]> = add && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
let added = 0;
for (const { name, scenario } of lockedScenarios()) {
  if (out[name] !== undefined) continue;
  out[name] = SEEDS.map((seed) => eventDigest(scenario, seed));
  added++;
}
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(
  `${added} scenarios recorded x ${SEEDS.length} seeds (${Object.keys(out).length} in the fixture)`,
);
