import { z } from 'zod';
import type { ViewKind } from '../shared/api/views';
import type { Scenario } from '../shared/scenario/schema';
import { topicTitle } from '../shared/topics';
import { type ExperimentInfo, experimentsOf } from './experiments';
import type { AnyProtocol, BugSwitch, Lesson, RoleSpec, ScenarioIssue } from './protocol';
import { broadcast } from './protocols/broadcast/broadcast';
import { dynamo } from './protocols/cap/dynamo/dynamo';
import { berkeley } from './protocols/clocks/berkeley';
import { cristian } from './protocols/clocks/cristian';
import { lease } from './protocols/clocks/lease';
import { ntp } from './protocols/clocks/ntp';
import { multiPaxos } from './protocols/consensus/multi-paxos/multi-paxos';
import { paxos } from './protocols/consensus/paxos/paxos';
import { raft } from './protocols/consensus/raft/raft';
import { consistentHashing } from './protocols/consistent-hashing/consistent-hashing';
import { hadoop } from './protocols/dataflow/hadoop';
import { spark } from './protocols/dataflow/spark';
import { storm } from './protocols/dataflow/storm';
import { heartbeat } from './protocols/failure-detector/heartbeat';
import { kafka } from './protocols/kafka/kafka';
import { lambda } from './protocols/lambda/lambda';
import { mapReduce } from './protocols/mapreduce/mapreduce';
import { pingPong } from './protocols/ping-pong/ping-pong';
import { pubsub } from './protocols/pubsub/pubsub';
import { readReplication } from './protocols/replication/read-replication';
import { sharding } from './protocols/sharding/sharding';
import { paxosCommit } from './protocols/transactions/paxos-commit/paxos-commit';
import { threePhaseCommit } from './protocols/transactions/three-phase-commit/three-phase-commit';
import { twoPhaseCommit } from './protocols/transactions/two-phase-commit/two-phase-commit';
import { logicalClocks } from './protocols/vector-clocks/logical-clocks';
import { zookeeper } from './protocols/zookeeper/zookeeper';
import { quickStartScenario } from './toolkit/quick-start';

/** What the palette, the inspector and the library need to know about a protocol. */
export interface ProtocolInfo {
  /** Catalog id (Scenario.protocol). */
  id: string;
  /** Topic id (Scenario.topic). */
  topic: string;
  /** Human title of the topic. */
  topicTitle: string;
  /** Display title. */
  title: string;
  /** One-paragraph summary (the lesson's summary). */
  summary: string;
  /** Behaviour version. */
  version: number;
  /** Playback speed at which the protocol's story plays at a human pace (virtual s per wall s). */
  speed: number;
  /** Palette entries ('switch' is always available besides these). */
  roles: RoleSpec[];
  /** JSON Schema of the params (drives the inspector form). */
  paramsJsonSchema: Record<string, unknown>;
  /** Default params. */
  defaults: Record<string, unknown>;
  /** Invariants checked as the run goes. */
  invariants: { id: string; title: string }[];
  /** Liveness properties, checked once the faults stop. */
  liveness: { id: string; title: string }[];
  /** Views drawn by the app's generic renderers. */
  views: { id: string; title: string; kind: ViewKind }[];
  /** Experiments that reproduce a figure of the protocol's source. */
  experiments: ExperimentInfo[];
  /** End-of-run history checkers by id (a run with a workload is also checked for linearizability). */
  historyCheckers: string[];
  /** Checks of the run so far that never stop it (Protocol.runChecks). */
  runChecks: { id: string; title: string }[];
  /** Metric series the protocol adds. */
  metrics: { id: string; unit: string }[];
  /** Known-wrong variants. */
  bugs: BugSwitch[];
  /** The lesson. */
  lesson: Lesson;
}

const protocols = new Map<string, AnyProtocol>();

/** Adds a protocol to the catalog (built-ins register themselves below). */
export function registerProtocol(p: AnyProtocol): void {
  protocols.set(p.id, p);
}

// Built-ins, one line each; a protocol folder owns its definition, the catalog only lists it.
for (const p of [
  pingPong,
  broadcast,
  heartbeat,
  raft,
  paxos,
  multiPaxos,
  readReplication,
  sharding,
  consistentHashing,
  kafka,
  dynamo,
  logicalClocks,
  pubsub,
  mapReduce,
  ntp,
  cristian,
  berkeley,
  lease,
  twoPhaseCommit,
  zookeeper,
  lambda,
  hadoop,
  spark,
  storm,
  threePhaseCommit,
  paxosCommit,
] as AnyProtocol[])
  registerProtocol(p);

/** The protocol with this id, or undefined. */
export function getProtocol(id: string): AnyProtocol | undefined {
  return protocols.get(id);
}

/** Every protocol, sorted by topic then id. */
export function listProtocols(): ProtocolInfo[] {
  return [...protocols.values()]
    .sort((a, b) => (a.topic === b.topic ? a.id.localeCompare(b.id) : a.topic.localeCompare(b.topic)))
    .map((p) => ({
      id: p.id,
      topic: p.topic,
      topicTitle: topicTitle(p.topic),
      title: p.title,
      summary: p.lesson.summary,
      version: p.version,
      speed: p.speed,
      roles: p.roles,
      paramsJsonSchema: z.toJSONSchema(p.params, { io: 'input', unrepresentable: 'any' }) as Record<
        string,
        unknown
      >,
      defaults: p.params.parse({}) as Record<string, unknown>,
      invariants: p.invariants.map((i) => ({ id: i.id, title: i.title })),
      liveness: (p.liveness ?? []).map((l) => ({ id: l.id, title: l.title })),
      views: (p.views ?? []).map((v) => ({ id: v.id, title: v.title, kind: v.kind })),
      experiments: experimentsOf(p.id),
      historyCheckers: p.historyCheckers,
      runChecks: (p.runChecks ?? []).map((c) => ({ id: c.id, title: c.title })),
      metrics: p.metrics.map((m) => ({ id: m.id, unit: m.unit })),
      bugs: p.bugs,
      lesson: p.lesson,
    }));
}

/**
 * A ready-to-run scenario for a protocol, seed 1: its quick start, which the protocol declares
 * (`quickStart`: workload, faults, run length) over its default topology and params.
 */
export function defaultScenario(protocolId: string): Scenario {
  const p = protocols.get(protocolId);
  if (p === undefined) throw new Error(`unknown protocol ${protocolId}`);
  return quickStartScenario(p);
}

export type { ScenarioIssue } from './protocol';

/**
 * Checks a (schema-valid) scenario against its protocol: the protocol exists, params pass the
 * protocol's schema, every node's role is one the protocol declares (or 'switch' / 'client'),
 * and (unless `roleCounts` is false) role counts are within the declared bounds. Empty when
 * all is well. Import leaves the counts out: a scenario still being built may lack nodes.
 */
export function checkScenario(scenario: Scenario, options: { roleCounts?: boolean } = {}): ScenarioIssue[] {
  const p = protocols.get(scenario.protocol);
  if (p === undefined) {
    const known = [...protocols.keys()].sort().join(', ');
    return [{ path: ['protocol'], message: `unknown protocol ${scenario.protocol} (known: ${known})` }];
  }
  const issues: ScenarioIssue[] = [];
  const parsed = p.params.safeParse(scenario.params);
  if (!parsed.success)
    for (const i of parsed.error.issues)
      issues.push({
        path: ['params', ...i.path.map((x) => (typeof x === 'symbol' ? String(x) : x))],
        message: i.message,
      });
  if (parsed.success && p.scenarioIssues !== undefined)
    issues.push(...p.scenarioIssues(scenario, parsed.data));
  const roles = new Map(p.roles.map((r) => [r.id, r]));
  const counts = new Map<string, number>();
  scenario.topology.nodes.forEach((n, i) => {
    if (n.role === 'switch') return;
    // 'client' is always allowed; it is counted in case the protocol declares bounds for it.
    if (!roles.has(n.role) && n.role !== 'client')
      issues.push({ path: ['topology', 'nodes', i, 'role'], message: `${p.id} has no role ${n.role}` });
    counts.set(n.role, (counts.get(n.role) ?? 0) + 1);
  });
  if (options.roleCounts === false) return issues;
  for (const r of p.roles) {
    const c = counts.get(r.id) ?? 0;
    if (c < r.min)
      issues.push({
        path: ['topology', 'nodes'],
        message: `${p.id} needs at least ${r.min} ${r.label} node(s), has ${c}`,
      });
    if (r.max !== null && c > r.max)
      issues.push({
        path: ['topology', 'nodes'],
        message: `${p.id} allows at most ${r.max} ${r.label} node(s), has ${c}`,
      });
  }
  return issues;
}
