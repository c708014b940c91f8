/** Writes tests/behaviour/events.json from the current build (see lock.ts). */
import { writeFileSync } from 'node:fs';
import { eventDigest, lockedScenarios, SEEDS } from './lock';

const out: Record<string, string[]> = {};
for (const { name, scenario } of lockedScenarios())
  out[name] = SEEDS.map((seed) => eventDigest(scenario, seed));
writeFileSync('tests/behaviour/events.json', `${JSON.stringify(out, null, 2)}\n`);
console.log(`${Object.keys(out).length} scenarios x ${SEEDS.length} seeds`);
