import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registerProtocol } from '../../../src/sim/catalog';
import { chQuickStart, consistentHashing, ringView } from '../../../src/sim/protocols/consistent-hashing';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

registerProtocol(consistentHashing);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

describe('consistent hashing golden transcripts', () => {
  for (const scheme of ['ring', 'rendezvous', 'jump'] as const)
    it(`${scheme}: n5 joins, n2 leaves — membership notes, hand-overs, faults`, () => {
      const sim = new Simulation(chQuickStart({ scheme, replicationFactor: 2 }), { seed: 1 });
      sim.runUntil(Number.MAX_SAFE_INTEGER);
      expect(sim.violation).toBeNull();
      expectGolden(
        here(`join-leave-${scheme}.golden.txt`),
        transcript(sim, (k) => k === 'note' || k === 'fault'),
        `consistent-hashing, chQuickStart({scheme: ${scheme}, replicationFactor: 2}), seed 1`,
      );
    });

  it('ringView of a small ring (what the workbench draws)', () => {
    const p = consistentHashing.params.parse({ vnodes: 3 });
    const v = ringView(p, ['n1', 'n2', 'n3'], ['k1', 'k2', 'k3', 'k4', 'k5'], ['n1', 'n2']);
    const fmt = (a: number) => a.toFixed(3).padStart(7);
    const text = [
      ...v.vnodes.map((x) => `vnode ${fmt(x.angle)} ${x.label}`),
      ...v.keys.map((k) => `key   ${fmt(k.angle)} ${k.key} -> ${k.owner}`),
      ...v.moved.map((m) => `moved ${m.key} ${m.from} -> ${m.to}`),
    ].join('\n');
    expectGolden(
      here('ring-view.golden.txt'),
      `${text}\n`,
      'ringView({vnodes: 3, murmur3}, n1..n3, k1..k5, previous n1,n2)',
    );
  });
});
