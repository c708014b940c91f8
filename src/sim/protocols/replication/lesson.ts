/**
 * The lesson of read replication (DDIA ch. 5: replication lag, session guarantees, lost
 * writes on failover), its bug switches, and the default topology it is told on: a leader,
 * a near and a far follower, two clients.
 */
import type { BugSwitch, DefaultTopology, Lesson } from '../../protocol';
import { link, placed } from '../../toolkit/topology';

/** The workload of the replication scenarios: two closed-loop clients, mostly reads, a few hot keys. */
export const replicationWorkload = {
  kind: 'closed' as const,
  concurrency: 2,
  thinkTimeUs: 20_000,
  readFraction: 0.7,
  keys: { pattern: 'key-{i}', count: 20, distribution: 'zipf' as const, zipfS: 1.1 },
  timeoutUs: 1_000_000,
};

/** The default topology: leader r1, followers r2 (near) and r3 (far), clients c1 and c2, one switch. */
export function replicationTopology(): DefaultTopology {
  const near = { kind: 'normal' as const, meanUs: 1000, stdUs: 200, minUs: 300 };
  return {
    nodes: [
      placed('r1', 'leader', 300, 80),
      placed('r2', 'follower', 100, 300),
      placed('r3', 'follower', 500, 300),
      placed('c1', 'client', 100, 520),
      placed('c2', 'client', 500, 520),
      placed('sw', 'switch', 300, 300),
    ],
    links: [
      link('r1', 'sw', near),
      link('r2', 'sw', near),
      // A far follower: it lags behind, so its reads go stale first.
      link('r3', 'sw', { kind: 'lognormal', medianUs: 30_000, sigma: 0.5 }),
      link('c1', 'sw', near),
      link('c2', 'sw', near),
    ],
  };
}

/** Known-wrong variants a learner can turn on. */
export const replicationBugs: BugSwitch[] = [
  {
    param: 'bugAckBeforeReplicate',
    title:
      'Sync and semi-sync leaders acknowledge before followers confirm: a crash loses acknowledged writes',
  },
  {
    param: 'bugIgnoreSession',
    title:
      'Read-your-writes and monotonic reads forget the session version: a follower serves an older state',
  },
];

/** The lesson. */
export const replicationLesson: Lesson = {
  summary:
    'One leader takes the writes and streams them to followers, which answer reads. Asynchronous followers are cheap but trail behind, so a read can return old data and a failover can drop writes the leader already confirmed. Waiting for followers to store a write keeps it through a failover and costs write latency; only reads at a leader that checks it still leads are linearizable, and follower reads never are.',
  watch: [
    'The lag on each follower badge, and the far follower r3 falling behind',
    'staleReads and staleReadRate: reads that returned older data than a write that had already completed',
    'writeLatencyMs when you switch between async, semi-sync and sync, and waitFor stored or applied',
    '"lost write" notes and the lostWrites metric after a failover, and the durability check in the Checkers tab listing the writes',
    'The Checkers tab: linearizability, red where the settings promise it, amber where failing is the lesson',
  ],
  tryThis: [
    'Run the default (async, reads from any follower) and look at staleReads; then set readPolicy to leader and watch them vanish while the leader does all the reading work',
    'Set readPolicy to read-your-writes: your own writes are always visible, yet other clients can still read stale data',
    'Set mode to sync: followers store every write before it is acknowledged, yet their reads still go stale, because a follower applies a write only when it hears it is committed. Set waitFor to applied: the stale reads stop, and writes wait one more round trip',
    'Cut r1 off from its followers (a one-way partition r1 -> r2,r3) at 1.8 s and crash it at 2 s, in async mode: the follower that takes over lacks the writes r1 confirmed meanwhile, and lostWrites counts them; restart r1 to see a "lost write" note for each',
    'Switch mode to sync and repeat the crash: no write is lost, but writes now wait for the far follower (and, after the failover, for r1 to come back)',
    'With readPolicy leader and mode sync, compare leaderReads barrier and lease: a barrier costs a heartbeat round per read; a lease answers at once, and trusts that clocks keep time',
    "With readPolicy leader, mode semi-sync and leaderReads lease, cut r1 off from r2, r3 and c2 (not c1) and step r1's clock back 2 s: r1 keeps answering c1 from its old data after r2 took c2's writes, and the linearizability check fails, as the lesson. Switch to barrier: it holds",
    'Turn on bugAckBeforeReplicate in sync or semi-sync mode and crash the leader: the no-lost-writes invariant stops the run',
    'Set failover to manual, crash r1, then set promote to r2: nobody takes writes until you do',
  ],
};
