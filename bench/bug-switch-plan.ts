/**
 * Every bug switch of every protocol and the scenario it is measured on (its nemesis scenario,
 * or the built-in scenario that fits it best), with the reason for the choice and the check
 * expected to catch it. Used by the sweep (bench/bug-switches.ts) and by the test that runs a
 * few seeds per switch (tests/bug-switches.test.ts).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../src/cli/scenario-file';
import { type Scenario, ScenarioSchema } from '../src/shared/scenario/schema';
import { chQuickStart } from '../src/sim/protocols/consistent-hashing/scenarios';
import { shardingAddShard } from '../src/sim/protocols/sharding/scenarios';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where a switch is measured: a library file (what `dslab check` runs) or a built-in scenario. */
export interface Subject {
  /** `<protocol>.<param>`. */
  id: string;
  protocol: string;
  bug: string;
  /** What the table says the scenario is. */
  scenario: string;
  /** Why this scenario (the table's note). */
  why: string;
  /** The scenario with the switch set (on or off). */
  load(on: boolean): Scenario;
  /** The CLI line that measures the same, when the scenario is a library file. */
  cli?: string;
  /** The check expected to catch it, or null for a gap no check closes. */
  catches: string | null;
}

/** A library file, with `--set` specs the switch needs (a mode in which it matters). */
function library(file: string, sets: string[] = []) {
  const path = join(root, 'resources/library', file);
  const extra = sets.map((x) => ` --set ${x}`).join('');
  return {
    scenario: `resources/library/${file}${sets.length > 0 ? ` with ${sets.join(', ')}` : ''}`,
    load: (bug: string) => (on: boolean) => loadScenarioFile(path, [...sets, `params.${bug}=${on}`]).scenario,
    cli: (bug: string) =>
      `npx dslab sweep resources/library/${file} --seeds 1..500${extra} --set params.${bug}=true`,
  };
}

function builtin(name: string, make: () => Scenario) {
  return {
    scenario: `built-in: ${name}`,
    load: (bug: string) => (on: boolean) => {
      const s = make();
      return ScenarioSchema.parse({ ...s, params: { ...s.params, [bug]: on } });
    },
  };
}

/** Each switch and its scenario, with the reason for the choice. */
const PLAN: {
  protocol: string;
  bug: string;
  /** The check that catches it (the first a caught seed reports), or null: a gap, said in `why`. */
  catches: string | null;
  where: ReturnType<typeof library | typeof builtin>;
  why: string;
}[] = [
  {
    protocol: 'broadcast',
    bug: 'bugNoDedupe',
    catches: 'no-duplication',
    where: library('broadcast-mesh.dslab.json'),
    why: 'the library broadcast scenario: full mesh, client writes, n1 crashes and restarts',
  },
  {
    protocol: 'broadcast',
    bug: 'bugNoRelay',
    catches: 'agreement',
    where: library('broadcast-crash-while-sending.dslab.json'),
    why: "the crash-while-sending scenario: full mesh, client writes, and a nemesis that crashes a node part-way through a step's sends (crashMidSend), so an origin can reach only some nodes",
  },
  {
    protocol: 'heartbeat-detector',
    bug: 'bugNoIncrease',
    catches: 'eventual-strong-accuracy',
    where: library('heartbeat-detector-tune.dslab.json'),
    why: 'the detector exercise: a slow link, a crash, then calm',
  },
  {
    protocol: 'ping-pong',
    bug: 'bugWrongSeq',
    catches: 'rounds-complete',
    where: library('ping-pong-ring.dslab.json'),
    why: 'the library ping-pong ring (the stress scenario "ping-pong under a bad network" has a nemesis that never stops, so no liveness property is ever checked there)',
  },
  {
    protocol: 'paxos',
    bug: 'bugForgetPromiseOnRestart',
    catches: 'at-most-one-chosen',
    where: library('paxos-nemesis.dslab.json'),
    why: 'its nemesis scenario',
  },
  {
    protocol: 'multi-paxos',
    bug: 'bugForgetPromiseOnRestart',
    catches: 'one-value-per-slot',
    where: library('paxos-multi-nemesis.dslab.json'),
    why: 'its nemesis scenario',
  },
  {
    protocol: 'multi-paxos',
    bug: 'bugNoNoopFill',
    catches: 'client-ops-answered',
    where: library('paxos-multi-nemesis.dslab.json'),
    why: 'its nemesis scenario',
  },
  {
    protocol: 'raft',
    bug: 'bugNoElectionRestriction',
    catches: 'leader-completeness',
    where: library('raft-nemesis.dslab.json'),
    why: 'its nemesis scenario',
  },
  {
    protocol: 'raft',
    bug: 'bugCommitPreviousTerm',
    catches: 'leader-completeness',
    where: library('raft-nemesis.dslab.json'),
    why: 'its nemesis scenario',
  },
  {
    protocol: 'raft',
    bug: 'bugForgetVoteOnRestart',
    catches: 'election-safety',
    where: library('raft-nemesis.dslab.json'),
    why: 'its nemesis scenario',
  },
  {
    protocol: 'consistent-hashing',
    bug: 'bugStaleRing',
    catches: 'key-placement',
    where: builtin('consistent hashing quick start (chQuickStart)', () => chQuickStart()),
    why: 'the quick start: n5 joins at 3 s, n2 leaves at 5 s',
  },
  {
    protocol: 'sharding',
    bug: 'bugStaleRoutingTable',
    catches: 'key-placement',
    where: builtin('sharding add-shard (shardingAddShard)', () => shardingAddShard()),
    why: 'a fourth shard joins at 3 s (a reshard)',
  },
  {
    protocol: 'two-phase-commit',
    bug: 'bugCommitBeforeAllVotes',
    catches: 'validity',
    where: library('two-phase-commit-clients.dslab.json'),
    why: 'the clients scenario: transactions from clients, some participants vote NO, so committing before every vote is in commits a transaction someone refused',
  },
  {
    protocol: 'two-phase-commit',
    bug: 'bugForgetLogOnRestart',
    catches: 'atomicity',
    where: library('two-phase-commit-clients.dslab.json'),
    why: 'the clients scenario: participants crash and restart while transactions are in flight, so one that forgot its YES vote decides differently from the others',
  },
  {
    protocol: 'three-phase-commit',
    bug: 'bugSkipPreCommit',
    catches: 'every-transaction-decided',
    where: library('three-phase-commit-coordinator-crash.dslab.json'),
    why: 'the quick start: the coordinator crashes after every YES; without a precommitted state the uncertain participants may not abort, and block',
  },
  {
    protocol: 'three-phase-commit',
    bug: 'bugTerminationIgnoresPrecommit',
    catches: 'atomicity',
    where: library('three-phase-commit-participant-crash.dslab.json'),
    why: 'p3 crashes between its YES and its ACK: p1 and p2 are precommitted and run the termination protocol while the coordinator waits for the ACK and then commits',
  },
  {
    protocol: 'paxos-commit',
    bug: 'bugAcceptLowerBallot',
    catches: 'one-value-per-instance',
    where: library('paxos-commit-impatient-leader.dslab.json', ['params.leaderTimeoutMs=50']),
    why: "the impatient-leader exercise with its solution's timeout: the TM's phase 1 finds rm3's instance free and gets Aborted chosen before rm3's slow ballot-0 Prepared arrives, which acceptors that ignore their promise then accept",
  },
  {
    protocol: 'paxos-commit',
    bug: 'bugCommitOnMajorityOfRMs',
    catches: 'validity',
    where: library('paxos-commit-impatient-leader.dslab.json', [
      'params.bugAcceptLowerBallot=false',
      'params.noVotes=["T1@rm3"]',
    ]),
    why: 'the impatient-leader exercise with rm3 aborting T1: its Aborted reaches the acceptors last, over its slow link, so a leader that commits on two Prepared of three commits what rm3 refused (in the clients scenario an Aborted, sent without a forced write, usually arrives first and the bug shows on 12 seeds of 50)',
  },
  {
    protocol: 'ntp',
    bug: 'bugIgnoreDelay',
    catches: 'within-bound',
    where: library('ntp-quick-start.dslab.json'),
    why: 'the NTP quick start: a stratum hierarchy over links of a few ms, where an offset that ignores the round trip misses the claimed bound',
  },
  {
    protocol: 'ntp',
    bug: 'bugAlwaysStep',
    catches: 'slew-under-threshold',
    where: library('ntp-quick-start.dslab.json'),
    why: 'the NTP quick start: small offsets that RFC 5905 slews, which the switch steps',
  },
  {
    protocol: 'cristian',
    bug: 'bugNoHalfRtt',
    catches: 'within-bound',
    where: library('cristian-quick-start.dslab.json'),
    why: 'the Cristian quick start: a client that sets its clock to the server time without half the round trip misses its bound',
  },
  {
    protocol: 'mapreduce',
    bug: 'bugNoRerunCompletedMaps',
    catches: 'job-completes',
    where: library('mapreduce-quick-start.dslab.json'),
    why: 'the MapReduce quick start: a worker that completed map tasks crashes, so its map output (on its local disk) is gone and must be made again',
  },
  {
    protocol: 'mapreduce',
    bug: 'bugCommitReduceTwice',
    catches: 'exactly-once-commit',
    where: library('mapreduce-straggler.dslab.json'),
    why: 'the straggler scenario with backup tasks on: two copies of a reduce task finish, and only the first may commit',
  },
  {
    protocol: 'lambda',
    bug: 'bugDoubleCountOverlap',
    catches: 'never-overcounts',
    where: library('lambda-quick-start.dslab.json'),
    why: 'the Lambda quick start: every batch view installed while the speed layer still holds events of the epochs it covers',
  },
  {
    protocol: 'lambda',
    bug: 'bugMutateMaster',
    catches: 'master-immutable',
    where: library('lambda-quick-start.dslab.json'),
    why: 'the Lambda quick start: the second batch run takes the facts it reads out of the master dataset',
  },
  {
    protocol: 'lambda',
    bug: 'bugSpeedSkipsGap',
    catches: 'answers-exact',
    where: library('lambda-human-fault-tolerance.dslab.json'),
    why: 'the human-fault-tolerance scenario: the speed node restarts and skips what it missed; the run check lists the wrong answers at the end (the next batch run heals them)',
  },
  {
    protocol: 'hadoop',
    bug: 'bugNoMaterialize',
    catches: 'output-correct',
    where: library('hadoop-crash.dslab.json'),
    why: 'the Hadoop crash story: w3 fails in the third PageRank job, so a round’s ranks kept only on w3 are gone when the next job reads them',
  },
  {
    protocol: 'spark',
    bug: 'bugNoLineageRecompute',
    catches: 'output-correct',
    where: library('spark-crash.dslab.json'),
    why: 'the Spark crash story: w3 fails mid-job, taking its cached links and shuffle outputs, which must be recomputed from their lineage',
  },
  {
    protocol: 'storm',
    bug: 'bugAckBeforeEmit',
    catches: 'no-loss',
    where: library('storm-word-count.dslab.json'),
    why: 'the Storm scenario: a line acked before its words are emitted completes its tree early, so the spout is done while words are still in flight or lost with w3',
  },
  {
    protocol: 'pubsub',
    bug: 'bugAckBeforeProcess',
    catches: 'no-lost-message',
    where: library('pubsub-nemesis.dslab.json'),
    why: 'the pub/sub nemesis: consumers crash while they hold messages, so one acknowledged before it was processed is lost under at-least-once',
  },
  {
    protocol: 'pubsub',
    bug: 'bugNoDedupe',
    catches: 'no-duplicate-effects',
    where: library('pubsub-nemesis.dslab.json', ['params.semantics=effectively-once']),
    why: 'the pub/sub nemesis in effectively-once mode: redeliveries after crashes reach consumers that must dedupe them',
  },
  {
    protocol: 'logical-clocks',
    bug: 'bugNoMergeOnReceive',
    catches: 'clock-condition',
    where: library('logical-clocks-vector.dslab.json'),
    why: 'the vector-clock run: processes exchanging messages at random, where a receipt that does not merge the sender stamp breaks the clock condition at once',
  },
  {
    protocol: 'logical-clocks',
    bug: 'bugIncrementAfterSend',
    catches: 'clock-condition',
    where: library('logical-clocks-vector.dslab.json'),
    why: 'the vector-clock run: a message stamped before the send event ticks carries a stamp the receipt can equal',
  },
  {
    protocol: 'dynamo',
    bug: 'bugCountHintAsHomeReplica',
    catches: 'strict-quorum',
    where: library('dynamo-cp-partition.dslab.json'),
    why: 'CP under a partition: the minority side reaches stand-ins outside the key preference list, which the switch counts toward the strict quorum',
  },
  {
    protocol: 'dynamo',
    bug: 'bugNoReadRepairVersionCheck',
    catches: 'versions-never-go-back',
    where: library('dynamo-quorum-overlap.dslab.json', ['params.r=2', 'params.w=2']),
    why: 'the quorum-overlap exercise with R = W = 2: read repair runs on most reads, and one that overwrites without comparing versions sends a replica back',
  },
  {
    protocol: 'kafka',
    bug: 'bugAdvanceHwBeforeIsr',
    catches: 'hw-within-isr',
    where: library('kafka-quick-start.dslab.json'),
    why: 'the Kafka quick start: producers with acks=all while a broker crashes, so a high watermark taken from the leader alone passes records a follower in the ISR lacks',
  },
  {
    protocol: 'kafka',
    bug: 'bugAckAllFromLeaderOnly',
    catches: 'acked-not-lost',
    where: library('kafka-quick-start.dslab.json'),
    why: 'the Kafka quick start: a leader that acknowledges acks=all records on its own write loses them when it crashes',
  },
  {
    protocol: 'kafka',
    bug: 'bugCommitStaleGeneration',
    catches: 'committed-once-per-group',
    where: library('kafka-consumer-group.dslab.json'),
    why: 'the consumer-group scenario: g3 crashes and returns and g2 is cut off from the coordinator while it reads on, so commits of an older generation arrive after a rebalance',
  },
  {
    protocol: 'kafka',
    bug: 'bugNoSequenceCheck',
    catches: 'appended-once',
    where: library('kafka-quick-start.dslab.json', [
      'params.idempotence=true',
      'topology.links.0.dupRate=0.05',
      'topology.links.1.dupRate=0.05',
      'topology.links.2.dupRate=0.05',
      'topology.links.3.dupRate=0.05',
      'topology.links.4.dupRate=0.05',
      'topology.links.5.dupRate=0.05',
    ]),
    why: 'the quick start with idempotent producers and 5% duplication on every link: a duplicated produce request is appended twice when the leader does not check sequence numbers',
  },
  {
    protocol: 'kafka',
    bug: 'bugCompactKeepOldest',
    catches: 'cleaned-log',
    where: library('kafka-compacted-topic.dslab.json'),
    why: 'the compacted topic: the cleaner keeps the oldest record of each key instead of the latest',
  },
  {
    protocol: 'berkeley',
    bug: 'bugNoRttCompensation',
    catches: 'clocks-agree',
    where: library('berkeley-quick-start.dslab.json'),
    why: 'the Berkeley quick start: a master that forgets half the round trip sets each slave a one-way trip ahead of itself, beyond the agreement bound whenever the trip back was the longer one',
  },
  {
    protocol: 'read-replication',
    bug: 'bugAckBeforeReplicate',
    catches: 'no-lost-writes',
    where: library('replication-nemesis.dslab.json', ['params.mode=semi-sync']),
    why: 'the replication nemesis (crashes aimed at the leader, partitions, loss, clock steps) in semi-sync mode, which promises that an acknowledged write survives the leader',
  },
  {
    protocol: 'read-replication',
    bug: 'bugIgnoreSession',
    catches: 'session-guarantee',
    where: library('replication-no-stale-reads.dslab.json', ['params.readPolicy=read-your-writes']),
    why: 'the stale-reads exercise (reads from followers behind the leader) with the read-your-writes session policy the switch breaks',
  },
  {
    protocol: 'zookeeper',
    bug: 'bugCommitWithoutQuorum',
    catches: 'zab-primary-integrity',
    where: library('zookeeper-leader-cut-off.dslab.json'),
    why: 'the leader and the clients cut off from a quorum: the leader commits their writes alone, and the next leader lacks them',
  },
  {
    protocol: 'zookeeper',
    bug: 'bugSkipSyncPhase',
    catches: 'zab-prefix',
    where: library('zookeeper-leader-cut-off.dslab.json'),
    why: 'the cut-off leader rejoins with proposals that never committed and without the new epoch’s; unsynchronized, it delivers them',
  },
  {
    protocol: 'zookeeper',
    bug: 'bugNoEphemeralCleanup',
    catches: 'ephemerals-die-with-session',
    where: library('zookeeper-lock.dslab.json'),
    why: 'the quick start: c1 crashes at 2 s with a znode in the lock queue, and its session expires',
  },
  {
    protocol: 'zookeeper',
    bug: 'bugHerdLock',
    catches: null,
    where: library('zookeeper-lock.dslab.json'),
    why: 'a cost, not a safety bug: every release wakes every waiter; no check fails, the metric lockMsgsPerRelease doubles (docs/protocols/zookeeper.md)',
  },
];

/** The switches, in the order the sweep runs them (read replication last). */
export function subjects(): Subject[] {
  const out: Subject[] = [];
  for (const p of PLAN) {
    const w = p.where;
    out.push({
      id: `${p.protocol}.${p.bug}`,
      protocol: p.protocol,
      bug: p.bug,
      scenario: w.scenario,
      why: p.why,
      catches: p.catches,
      load: w.load(p.bug),
      ...('cli' in w ? { cli: w.cli(p.bug) } : {}),
    });
  }
  return out;
}
