import { z } from 'zod';

/**
 * The scenario file format, version 1. A scenario is everything a run needs: protocol,
 * params, topology, workload, fault script, nemesis, seed and limits. Times are integer
 * microseconds of virtual time (suffix `Us`); rates are per second of virtual time (`PerS`).
 * docs/scenario-format.md describes every field with examples.
 */

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'ids are letters, digits, _ . : -');
const us = z.number().int().min(0);
const probability = z.number().min(0).max(1);

/** A latency distribution in microseconds. */
export const LatencySchema = z.discriminatedUnion('kind', [
  /** Always `us`. */
  z.object({ kind: z.literal('constant'), us: us }),
  /** Uniform in [minUs, maxUs]. */
  z.object({ kind: z.literal('uniform'), minUs: us, maxUs: us }),
  /** Normal(meanUs, stdUs) truncated below at minUs (default 0). */
  z.object({ kind: z.literal('normal'), meanUs: us, stdUs: us, minUs: us.optional() }),
  /** medianUs * exp(sigma * N(0,1)): a long right tail. */
  z.object({ kind: z.literal('lognormal'), medianUs: us, sigma: z.number().min(0).max(5) }),
  /** Pareto with minimum scaleUs and tail index shape, capped at maxUs when given. */
  z.object({ kind: z.literal('pareto'), scaleUs: us, shape: z.number().gt(0).max(20), maxUs: us.optional() }),
]);
export type Latency = z.infer<typeof LatencySchema>;

/** A node of the topology. */
export const NodeSchema = z.object({
  /** Stable id, unique in the topology. */
  id,
  /** Display name. */
  name: z.string().max(100).default(''),
  /** A role of the protocol, or 'switch' (forwards messages, runs no protocol) or 'client'. */
  role: id,
  /** Canvas x position (editor only). */
  x: z.number().default(0),
  /** Canvas y position (editor only). */
  y: z.number().default(0),
  /** Initial clock offset from true time. */
  clockOffsetUs: z.number().int().default(0),
  /** Clock drift in parts per million (positive runs fast). */
  clockDriftPpm: z.number().min(-100_000).max(100_000).default(0),
});
export type ScenarioNode = z.infer<typeof NodeSchema>;

/** A link of the topology. */
export const LinkSchema = z.object({
  /** Stable id, unique in the topology. */
  id,
  /** One end (node id); direction 'a-to-b' starts here. */
  a: id,
  /** The other end (node id). */
  b: id,
  /** One-way latency per message. */
  latency: LatencySchema.default({ kind: 'constant', us: 1000 }),
  /** Probability that a message is lost on this link. */
  lossRate: probability.default(0),
  /** Probability that this link also delivers a copy. */
  dupRate: probability.default(0),
  /** Probability that a message skips the link's FIFO order (and waits up to reorderDelayUs more). */
  reorderRate: probability.default(0),
  /** Extra delay, uniform in [0, reorderDelayUs], given to a reordered message. */
  reorderDelayUs: us.default(5000),
});
export type ScenarioLink = z.infer<typeof LinkSchema>;

/** The wired topology. */
export const TopologySchema = z.object({
  /** Nodes (protocol nodes, clients, switches). */
  nodes: z.array(NodeSchema).max(10_000),
  /** Wired links between nodes. */
  links: z.array(LinkSchema).max(50_000),
});

/** Which direction(s) of a link a cut affects. */
export const DirectionSchema = z.enum(['both', 'a-to-b', 'b-to-a']);

/** A fault: scripted (with `atUs`) or injected live. */
export const FaultSchema = z.discriminatedUnion('kind', [
  /** Stop a node; it keeps only its durable state. */
  z.object({ kind: z.literal('crash'), node: id }),
  /** Restart a crashed node from its durable state. */
  z.object({ kind: z.literal('restart'), node: id }),
  /** Freeze a node: deliveries and timers wait until resume. */
  z.object({ kind: z.literal('pause'), node: id }),
  /** Unfreeze a paused node. */
  z.object({ kind: z.literal('resume'), node: id }),
  /** Drop messages between different groups (both ways); `id` names it for heal. */
  z.object({ kind: z.literal('partition'), id: id.optional(), groups: z.array(z.array(id)).min(2) }),
  /** Drop messages from `from` nodes to `to` nodes only. */
  z.object({ kind: z.literal('partition-oneway'), id: id.optional(), from: z.array(id), to: z.array(id) }),
  /** Take a link direction out of routing (heal with the link id). */
  z.object({ kind: z.literal('cut-link'), link: id, direction: DirectionSchema.default('both') }),
  /** Remove one partition or cut by id, or all of them. */
  z.object({ kind: z.literal('heal'), id: id.optional() }),
  /** Change a link's latency, loss, duplication or reordering from now on. */
  z.object({
    kind: z.literal('degrade-link'),
    link: id,
    latency: LatencySchema.optional(),
    lossRate: probability.optional(),
    dupRate: probability.optional(),
    reorderRate: probability.optional(),
  }),
  /** Jump a node's clock by deltaUs. */
  z.object({ kind: z.literal('clock-step'), node: id, deltaUs: z.number().int() }),
  /** Correct a node's clock by deltaUs gradually, at ratePpm. */
  z.object({
    kind: z.literal('clock-slew'),
    node: id,
    deltaUs: z.number().int(),
    ratePpm: z.number().gt(0).max(100_000).default(500),
  }),
  /** Set a node's clock drift. */
  z.object({ kind: z.literal('clock-drift'), node: id, driftPpm: z.number().min(-100_000).max(100_000) }),
  /** Add a node (it starts at once). */
  z.object({ kind: z.literal('add-node'), node: NodeSchema }),
  /** Remove a node for good. */
  z.object({ kind: z.literal('remove-node'), node: id }),
  /** Add a link. */
  z.object({ kind: z.literal('add-link'), link: LinkSchema }),
  /** Remove a link. */
  z.object({ kind: z.literal('remove-link'), link: id }),
]);
export type Fault = z.infer<typeof FaultSchema>;
/** Input type of a fault (defaults not yet applied). */
export type FaultInput = z.input<typeof FaultSchema>;

/** A fault at a virtual time. */
export const ScriptedFaultSchema = z.object({
  /** When, in virtual microseconds. */
  atUs: us,
  /** What. */
  fault: FaultSchema,
});

// The explicit list comes first: the pattern variant is all defaults and would otherwise
// match (and strip) a list. The pattern variant also refuses a `list`, so a list the first
// variant refuses (empty, too long) is refused with its reason instead of being read as the
// default pattern with the list dropped.
/** Which keys operations use. */
export const KeysSchema = z.union([
  z.object({
    /** The keys, as given. */
    list: z.array(z.string().min(1)).min(1).max(100_000),
    /** How a key is chosen. */
    distribution: z.enum(['uniform', 'zipf', 'sequential']).default('uniform'),
    /** Zipf exponent (distribution 'zipf'). */
    zipfS: z.number().gt(0).max(5).default(1.1),
  }),
  z.object({
    /** Not in this variant: a `list` makes it the explicit list above. */
    list: z.never().optional(),
    /** Key pattern; {i} is replaced by the key number 0..count-1. */
    pattern: z.string().min(1).max(100).default('key-{i}'),
    /** Number of keys. */
    count: z.number().int().min(1).max(10_000_000).default(100),
    /** How a key is chosen. */
    distribution: z.enum(['uniform', 'zipf', 'sequential']).default('uniform'),
    /** Zipf exponent (distribution 'zipf'). */
    zipfS: z.number().gt(0).max(5).default(1.1),
  }),
]);

/** One operation of a scripted workload: who does what, when. */
export const ScriptedOpSchema = z.object({
  /** When the client invokes it, virtual microseconds. */
  atUs: us,
  /** The client node (a node id of the topology). */
  client: id,
  /** A read or a write. */
  op: z.enum(['read', 'write']),
  /** The key. */
  key: z.string().min(1).max(200),
  /**
   * The value a write writes (reads have none). Default `v<op id>`, as the generated workloads
   * write; a named value must be unique per key, since the history checkers tell writes apart
   * by their values.
   */
  value: z.string().min(1).max(200).optional(),
});

/** Client operations: none, open loop, closed loop, or a script. */
export const WorkloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('open'),
    /** Poisson arrival rate, operations per second of virtual time. */
    ratePerS: z.number().gt(0).max(1_000_000),
    /** Fraction of operations that are reads. */
    readFraction: probability.default(0.5),
    /** Keys. */
    keys: KeysSchema.default({ pattern: 'key-{i}', count: 100, distribution: 'uniform', zipfS: 1.1 }),
    /** First operation not before this time. */
    startUs: us.default(0),
    /** No operations from this time on. */
    stopUs: us.optional(),
  }),
  z.object({
    kind: z.literal('closed'),
    /** Operations outstanding per client node. */
    concurrency: z.number().int().min(1).max(10_000).default(1),
    /** Pause between a reply and the next operation. */
    thinkTimeUs: us.default(0),
    /** Fraction of operations that are reads. */
    readFraction: probability.default(0.5),
    /** Keys. */
    keys: KeysSchema.default({ pattern: 'key-{i}', count: 100, distribution: 'uniform', zipfS: 1.1 }),
    /** First operations at this time. */
    startUs: us.default(0),
    /** No operations from this time on. */
    stopUs: us.optional(),
    /** A request without a reply after this long is recorded as unknown and the client moves on. */
    timeoutUs: us.default(1_000_000),
  }),
  z.object({
    kind: z.literal('script'),
    /**
     * The operations, each given to its client node at its time (true time): a story told
     * step by step, such as a paper's worked example. Ops at the same time go in list order.
     */
    ops: z.array(ScriptedOpSchema).min(1).max(100_000),
    /** A request without a reply after this long is recorded as unknown. */
    timeoutUs: us.default(1_000_000),
  }),
]);
export type Workload = z.infer<typeof WorkloadSchema>;
/** One operation of a scripted workload. */
export type ScriptedOp = z.infer<typeof ScriptedOpSchema>;

/** Random faults drawn from the seed. */
export const NemesisSchema = z.object({
  /** Off by default. */
  enabled: z.boolean().default(false),
  /** No actions before this time. */
  startUs: us.default(0),
  /** No actions from this time on (undos still happen). */
  stopUs: us.optional(),
  /** Crashes per second. */
  crashRatePerS: z.number().min(0).max(1000).default(0),
  /** Mean time before a crashed node restarts (exponential). */
  meanDowntimeUs: us.default(1_000_000),
  /** Partitions per second. */
  partitionRatePerS: z.number().min(0).max(1000).default(0),
  /** Fraction of partitions that are one-way. */
  oneWayFraction: probability.default(0.3),
  /** Mean partition duration (exponential). */
  meanPartitionUs: us.default(2_000_000),
  /** Loss bursts per second. */
  lossRatePerS: z.number().min(0).max(1000).default(0),
  /** Loss rate of a link during a burst. */
  lossRate: probability.default(0.3),
  /** Mean burst duration (exponential). */
  meanLossUs: us.default(1_000_000),
  /** Clock steps per second. */
  clockSkewRatePerS: z.number().min(0).max(1000).default(0),
  /** Largest clock step, either way. */
  maxSkewUs: us.default(100_000),
  /**
   * Fraction of crashes and partitions aimed at the leader (protocols with nemesis hooks): the
   * crash takes the leader down, the partition cuts it off with a minority of its peers.
   */
  leaderFocus: probability.default(0),
  /** Fraction of crashes whose restart comes within quickRestartUs (within the same term). */
  quickRestartFraction: probability.default(0),
  /** Longest downtime of a quick restart (uniform from 1 µs). */
  quickRestartUs: us.default(20_000),
  /** Chance that a node crashes right after a step that made a promise (a vote, a Paxos promise), restarting quickly. */
  crashAfterPromise: probability.default(0),
  /** Chance that a node that just became leader crashes before its first messages leave. */
  crashNewLeader: probability.default(0),
  /** Chance that a new leader crashes right after its first commits, before telling anyone. */
  crashAfterFirstCommit: probability.default(0),
  /**
   * Chance that a step which sends to two or more nodes is cut short by a crash while sending:
   * a random part of its messages leaves (at least one, never all), then the node crashes (any
   * protocol; Cachin et al. 2011 §3.3: a process may crash in the middle of a broadcast).
   */
  crashMidSend: probability.default(0),
});
export type Nemesis = z.infer<typeof NemesisSchema>;

/** Caps on a run (docs/kernel.md "Limits" says what happens at each). */
export const LimitsSchema = z.object({
  /** Events processed before the run stops. */
  maxEvents: z.number().int().min(1).max(4e9).default(10_000_000),
  /** Messages in flight; sends beyond are dropped with reason 'limit'. */
  maxInFlight: z.number().int().min(1).max(1e8).default(1_000_000),
  /** Trace rows before the run stops. */
  maxTraceRows: z.number().int().min(1).max(1e9).default(20_000_000),
  /** Virtual time at which the run ends. */
  maxTimeUs: us.default(60_000_000),
});
export type Limits = z.infer<typeof LimitsSchema>;

/** A scenario file (schemaVersion 1). */
export const ScenarioSchema = z
  .object({
    /** File format version (migrations upgrade older files). */
    schemaVersion: z.literal(1),
    /** Display name. */
    name: z.string().min(1).max(200),
    /** Topic id. */
    topic: id,
    /** Protocol id from the catalog. */
    protocol: id,
    /** Protocol params (validated by the protocol's own schema when the run starts). */
    params: z.record(z.string(), z.unknown()).default({}),
    /** Nodes and links. */
    topology: TopologySchema,
    /** Client operations. */
    workload: WorkloadSchema.default({ kind: 'none' }),
    /** Fault script. */
    faults: z.array(ScriptedFaultSchema).max(100_000).default([]),
    /** Random faults. */
    nemesis: NemesisSchema.default({
      enabled: false,
      startUs: 0,
      crashRatePerS: 0,
      meanDowntimeUs: 1_000_000,
      partitionRatePerS: 0,
      oneWayFraction: 0.3,
      meanPartitionUs: 2_000_000,
      lossRatePerS: 0,
      lossRate: 0.3,
      meanLossUs: 1_000_000,
      clockSkewRatePerS: 0,
      maxSkewUs: 100_000,
      leaderFocus: 0,
      quickRestartFraction: 0,
      quickRestartUs: 20_000,
      crashAfterPromise: 0,
      crashNewLeader: 0,
      crashAfterFirstCommit: 0,
      crashMidSend: 0,
    }),
    /** The run's seed (unsigned 32-bit). */
    seed: z.number().int().min(0).max(0xffffffff),
    /** Caps. */
    limits: LimitsSchema.default({
      maxEvents: 10_000_000,
      maxInFlight: 1_000_000,
      maxTraceRows: 20_000_000,
      maxTimeUs: 60_000_000,
    }),
  })
  .superRefine((s, ctx) => {
    // Cross-references: ids unique, links name existing nodes. Paths point at the offender.
    const nodeIds = new Set<string>();
    s.topology.nodes.forEach((n, i) => {
      if (nodeIds.has(n.id))
        ctx.addIssue({
          code: 'custom',
          path: ['topology', 'nodes', i, 'id'],
          message: `duplicate node id ${n.id}`,
        });
      nodeIds.add(n.id);
    });
    const linkIds = new Set<string>();
    s.topology.links.forEach((l, i) => {
      if (linkIds.has(l.id))
        ctx.addIssue({
          code: 'custom',
          path: ['topology', 'links', i, 'id'],
          message: `duplicate link id ${l.id}`,
        });
      linkIds.add(l.id);
      for (const end of ['a', 'b'] as const) {
        if (!nodeIds.has(l[end]))
          ctx.addIssue({
            code: 'custom',
            path: ['topology', 'links', i, end],
            message: `link ${l.id} names unknown node ${l[end]}`,
          });
      }
      if (l.a === l.b)
        ctx.addIssue({
          code: 'custom',
          path: ['topology', 'links', i, 'b'],
          message: 'a link joins two nodes',
        });
    });
    if (s.workload.kind === 'script') checkScript(s.workload.ops, nodeIds, ctx);
  });

/** A script's operations name nodes that exist, reads write nothing, and written values are unique per key. */
function checkScript(ops: readonly ScriptedOp[], nodeIds: ReadonlySet<string>, ctx: z.RefinementCtx): void {
  const written = new Set<string>();
  ops.forEach((o, i) => {
    const path = ['workload', 'ops', i];
    if (!nodeIds.has(o.client))
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'client'],
        message: `operation ${i + 1} names unknown client node ${o.client}`,
      });
    if (o.op === 'read' && o.value !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'value'],
        message: `operation ${i + 1} is a read and cannot carry a value (${o.value})`,
      });
    if (o.op === 'write' && o.value !== undefined) {
      const k = `${o.key}\u0000${o.value}`;
      if (written.has(k))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'value'],
          message: `operation ${i + 1} writes ${o.value} to ${o.key} again: a written value must be unique per key`,
        });
      written.add(k);
    }
  });
}

/** A validated scenario (defaults applied). */
export type Scenario = z.infer<typeof ScenarioSchema>;
/** A scenario as written in a file (defaults optional). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;

/** Parses unknown data into a scenario; throws a ZodError whose issues name the path. */
export function parseScenario(data: unknown): Scenario {
  return ScenarioSchema.parse(data);
}
