/**
 * Child process of crash.test.ts: saves in a loop until killed, printing each save only after
 * it returned. Lines: `created <id> <name>`, `saved <id> <revision> <seed>`, `imported <id>...`.
 * Usage: save-loop.ts <dataDir> <nodes>
 */
import fs from 'node:fs';
import { Library } from '../../../src/main/store/library';
import { makeScenario } from '../fixtures';

const [dataDir, nodesArg] = process.argv.slice(2);
const nodes = Number(nodesArg ?? 50);
const lib = Library.open(dataDir!);
const say = (line: string) => fs.writeSync(1, `${line}\n`);

const base = makeScenario(nodes, 'Looping');
let current = lib.createScenario(base, { tags: ['loop'] });
say(`created ${current.id} Looping`);
let revision = current.revision;
for (let i = 1; ; i++) {
  const r = lib.save(current.id, { ...base, seed: i }, revision);
  revision = r.revision;
  say(`saved ${r.id} ${r.revision} ${i}`);
  if (i % 7 === 0) {
    const c = lib.createScenario(makeScenario(Math.max(2, nodes >> 2), `Extra ${i}`), {
      tags: ['extra', `n${i}`],
    });
    say(`created ${c.id} Extra ${i}`);
  }
  if (i % 11 === 0) {
    const text = JSON.stringify({
      format: 'dslab',
      kind: 'bundle',
      schemaVersion: 1,
      scenarios: [1, 2, 3].map((k) => ({ scenario: makeScenario(4, `Bundle ${i}.${k}`) })),
    });
    const imp = lib.importFile(text);
    say(`imported ${imp.scenarios.map((s) => s.id).join(' ')}`);
  }
  if (i % 13 === 0) {
    lib.autosave(current.id, { ...base, seed: -i });
    say(`autosaved ${current.id} ${i}`);
  }
  if (i % 50 === 0) {
    // Switch to a new document now and then so the loop also exercises inserts of big rows.
    current = lib.createScenario({ ...base, name: `Looping ${i}` });
    revision = current.revision;
    say(`created ${current.id} Looping ${i}`);
  }
}
