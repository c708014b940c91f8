/**
 * Child process of two-processes.test.ts: creates items and increments a shared counter
 * (the seed of one scenario) by read-modify-write with the revision check, retrying on
 * conflict. Prints `ready`, then `created <id>`, `inc <revision>`, `conflict`, `busy <message>`, `done`.
 * Usage: writer.ts <dataDir> <sharedId> <creates> <increments> <tag>
 */
import fs from 'node:fs';
import { Library, LibraryError } from '../../../src/main/store/library';
import { makeScenario } from '../fixtures';

const [dataDir, sharedId, createsArg, incArg, tag] = process.argv.slice(2);
const lib = Library.open(dataDir!);
const say = (line: string) => fs.writeSync(1, `${line}\n`);
let creates = Number(createsArg);
let incs = Number(incArg);

function attempt(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof LibraryError && e.code === 'conflict') say('conflict');
    else if (e instanceof LibraryError && e.code === 'busy') say(`busy ${e.message}`);
    else throw e;
  }
}

// Start together: both processes announce themselves, then wait for the parent's go file.
say('ready');
const sleeper = new Int32Array(new SharedArrayBuffer(4));
while (!fs.existsSync(`${dataDir}/go`)) Atomics.wait(sleeper, 0, 0, 5);

while (creates > 0 || incs > 0) {
  if (creates > 0) {
    attempt(() => {
      const r = lib.createScenario(makeScenario(20, `${tag} ${creates}`), { tags: [tag!] });
      say(`created ${r.id}`);
      creates--;
    });
  }
  if (incs > 0) {
    attempt(() => {
      const cur = lib.getScenario(sharedId!);
      const r = lib.save(sharedId!, { ...cur.scenario, seed: cur.scenario.seed + 1 }, cur.revision);
      say(`inc ${r.revision}`);
      incs--;
    });
  }
}
lib.close();
say('done');
