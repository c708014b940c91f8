import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../../../shared/files/parse';
import { Simulation } from '../../../simulation';
import { dynamoFigure3 } from './scenarios';
import type { ReplicaState } from './types';

/**
 * The library's `dynamo-figure-3`: DeCandia et al., SOSP 2007, §4.4 and Figure 3, told by a
 * scripted workload. The paper's vectors, on every replica, at every step, on every seed.
 */

const REPLICAS = ['Sx', 'Sy', 'Sz'];

/** What each replica stores for the cart: `value [vector]` per sibling. */
function stored(sim: Simulation): string[][] {
  return REPLICAS.map((id) => {
    const s = sim.nodeState(id)!.state as ReplicaState;
    return (s.store.cart ?? []).map(
      (v) =>
        `${v.value} ${Object.entries(v.vv)
          .map(([n, c]) => `[${n},${c}]`)
          .join('')}`,
    );
  });
}

const everywhere = (versions: string[]) => REPLICAS.map(() => versions);

describe('Dynamo §4.4, Figure 3: the versions of one object', () => {
  it('the library file is the scenario built here', () => {
    const parsed = parseFile(readFileSync('resources/library/dynamo-figure-3.dslab.json', 'utf8'));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.file.kind).toBe('scenario');
    if (parsed.file.kind === 'scenario') expect(parsed.file.scenario).toEqual(dynamoFigure3());
  });

  it('D1 and D2 through Sx, then D3 through Sy and D4 through Sz kept as siblings, then D5 merges them', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = new Simulation(dynamoFigure3(), { seed });
      sim.runUntil(90_000);
      expect(stored(sim), `seed=${seed}: D1`).toEqual(everywhere(['D1 [Sx,1]']));
      sim.runUntil(190_000);
      expect(stored(sim), `seed=${seed}: D2`).toEqual(everywhere(['D2 [Sx,2]']));
      sim.runUntil(390_000);
      expect(stored(sim), `seed=${seed}: D3 and D4`).toEqual(
        everywhere(['D3 [Sx,2][Sy,1]', 'D4 [Sx,2][Sz,1]']),
      );
      sim.runUntil(1_000_000);
      expect(stored(sim), `seed=${seed}: D5`).toEqual(everywhere(['D5 [Sx,3][Sy,1][Sz,1]']));

      // What the clients saw: c2 and c3 read D2; c1 read both siblings before writing D5; c2
      // reads D5 at the end. Nothing the run promises broke.
      const reads = sim
        .history()
        .filter((op) => op.kind === 'get')
        .map((op) => op.output);
      expect(reads, `seed=${seed}`).toEqual(['D2', 'D2', 'D3 | D4', 'D5']);
      expect(sim.violation, `seed=${seed}`).toBeNull();
    }
  });

  it('D3 and D4 are concurrent only because each writer read D2: had c3 read D3 first, D4 would descend from it', () => {
    // The same story with c3's read moved after D3 is stored: its context is D3's vector, and
    // its write through Sz replaces D3 instead of standing beside it (syntactic reconciliation).
    const base = dynamoFigure3();
    if (base.workload.kind !== 'script') throw new Error('a script');
    const ops = base.workload.ops.map((op) =>
      op.client === 'c3' && op.op === 'read'
        ? { ...op, atUs: 350_000 }
        : op.client === 'c3'
          ? { ...op, atUs: 380_000 }
          : op,
    );
    const sim = new Simulation({ ...base, workload: { ...base.workload, ops } }, { seed: 1 });
    sim.runUntil(395_000);
    expect(stored(sim)).toEqual(everywhere(['D4 [Sx,2][Sy,1][Sz,1]']));
  });
});
