import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { zkLeaderCrash, zkQuickStart } from '../../../src/sim/protocols/zookeeper';
import { Simulation } from '../../../src/sim/simulation';
import { expectGolden, transcript } from '../replication/golden';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

describe('ZooKeeper golden transcripts', () => {
  it('the first election: notifications, discovery, synchronization, then the first sessions', () => {
    const sim = new Simulation(zkQuickStart(), { seed: 1 });
    sim.runUntil(70_000);
    const text = transcript(sim, (k) => k !== 'timer')
      .split('\n')
      .filter((l) => l === '' || !/ c\d->s\d .*(CONNECT|CPING)|REFUSED/.test(l))
      .join('\n');
    expectGolden(
      here('first-election.txt'),
      text,
      'zookeeper, zkQuickStart(), seed 1, until 70 ms, timers and refused connects left out',
    );
  });

  it("c1's crash: its session expires, closeSession deletes its lock znode, its successor's watch fires", () => {
    const sim = new Simulation(zkQuickStart(), { seed: 1 });
    sim.runUntil(3_000_000);
    const text = transcript(sim, (k, t) => k === 'fault' || k === 'note' || t === 'WATCH')
      .split('\n')
      .filter((l) => {
        const at = Number(l.trim().split(/\s+/)[0]);
        return l === '' || (at >= 2_000_000 && !/holds the lock/.test(l));
      })
      .join('\n');
    expectGolden(
      here('session-expiry.txt'),
      text,
      'zookeeper, zkQuickStart(), seed 1, 2 s to 3 s: faults, notes (but lock takes), watch events',
    );
  });

  it('the leader crashes: followers give up on it, elect s2 in epoch 2, s3 returns as a follower', () => {
    const sim = new Simulation(zkLeaderCrash(), { seed: 1 });
    sim.runUntil(3_700_000);
    const text = transcript(sim, (k, t) => k === 'fault' || (k === 'note' && t === undefined))
      .split('\n')
      .filter((l) => {
        const at = Number(l.trim().split(/\s+/)[0]);
        return l === '' || (at >= 1_900_000 && / s\d /.test(l));
      })
      .join('\n');
    expectGolden(
      here('leader-crash.txt'),
      text,
      'zookeeper, zkLeaderCrash(), seed 1, 1.9 s to 3.7 s: faults and server notes',
    );
  });
});
