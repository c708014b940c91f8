import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { pubsubNemesis, pubsubQuickStart } from '../../../src/sim/protocols/pubsub';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

describe('pub/sub golden transcripts', () => {
  it('the first publishes: subscriptions, confirm, fanout deliveries, acks, a failed processing and its redelivery', () => {
    const sim = new Simulation(pubsubQuickStart(), { seed: 1 });
    sim.runUntil(90_000);
    const text = transcript(sim, (k) => k !== 'timer');
    expectGolden(
      here('first-publishes.txt'),
      text,
      'pubsub, pubsubQuickStart(), seed 1, until 90 ms, timers left out',
    );
  });

  it('s2 away from 1 s to 1.6 s: the broker loses it, takes back its deliveries, and refills it when it returns', () => {
    const sim = new Simulation(pubsubQuickStart(), { seed: 1 });
    sim.runUntil(1_700_000);
    const text = transcript(
      sim,
      (k, t) => k === 'fault' || (k === 'note' && t === undefined) || t === 'Subscribe',
    )
      .split('\n')
      .filter((l) => {
        const at = Number(l.trim().split(/\s+/)[0]);
        return (
          l === '' ||
          (at >= 950_000 &&
            !/ apply | processing /.test(l) &&
            !/s[13]->broker/.test(l) &&
            !/ s[13]\s/.test(l))
        );
      })
      .join('\n');
    expectGolden(
      here('subscriber-away.txt'),
      text,
      'pubsub, pubsubQuickStart(), seed 1, 0.95 s to 1.7 s: faults, broker and s2 notes, s2 subscriptions',
    );
  });

  it('a transient broker crashes under the nemesis: what it had queued is gone', () => {
    const sim = new Simulation(pubsubNemesis({ durable: false }), { seed: 2 });
    sim.runUntil(4_000_000);
    const text = transcript(sim, (k) => k === 'fault')
      .split('\n')
      .filter((l) => l === '' || / broker|nemesis/.test(l))
      .join('\n');
    const lost = transcript(sim, (k) => k === 'note')
      .split('\n')
      .filter((l) => l.includes('transient queues lost'));
    expectGolden(
      here('transient-broker.txt'),
      `${text}${lost.join('\n')}\n`,
      'pubsub, pubsubNemesis({ durable: false }), seed 2, until 4 s: faults on the broker, and what its restarts lost',
    );
  });
});
