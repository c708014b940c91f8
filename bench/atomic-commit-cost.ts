/**
 * The cost of atomic commit in the normal case, measured from runs as Gray and Lamport count it
 * ("Consensus on Transaction Commit", TODS 2006, §3.2 for two-phase commit, §4.3 for Paxos
 * Commit, compared in §5): message delays until every RM knows the outcome, and messages per
 * committed transaction, as N (resource managers) and F (acceptor failures tolerated) vary.
 *
 *   npx tsx bench/atomic-commit-cost.ts                      # two-phase-commit paxos-commit
 *   npx tsx bench/atomic-commit-cost.ts paxos-commit          # one protocol
 *   npx tsx bench/atomic-commit-cost.ts --set phase2aTo=all   # a param for every run
 *   npx tsx bench/atomic-commit-cost.ts paxos-commit --set phase2bTo=all   # Faster Paxos Commit
 *
 * Method, for each protocol, N and F: the protocol's own quick start with no faults, its
 * resource-manager role given N nodes (and `acceptor`, if the protocol has it, 2F+1), every
 * node on one switch with links of exactly 1 ms (a hop is 2 ms), forced writes of 0 ms, and
 * one transaction, begun by the protocol's own schedule at 100 ms. Messages: every send of a
 * protocol node between 100 ms and 199 ms, a message to itself excluded (§4.3: messages
 * within one node are free). Delays: the time from the begin to the moment the last RM has
 * the outcome in `audit.decisions` (both protocols keep it, for their checkers), in hops.
 * Adding a protocol is one entry in PROFILES; a protocol must begin a
 * transaction on `txnEveryMs`, take `forceMs`, and keep `audit.decisions`.
 */

import { type Scenario, ScenarioSchema } from '../src/shared/scenario/schema';
import { defaultScenario, getProtocol } from '../src/sim';
import { registerProtocol } from '../src/sim/catalog';
import { paxosCommit } from '../src/sim/protocols/transactions/paxos-commit';
import { Simulation } from '../src/sim/simulation';
import { star } from '../src/sim/toolkit/topology';

registerProtocol(paxosCommit);

/** What the bench needs to know of a protocol, and the paper's figures for it. */
interface Profile {
  /** The role of the resource managers (participants). */
  rm: string;
  /** Does F vary (acceptors, 2F+1)? */
  usesF: boolean;
  /** The paper's message delays (with these params). */
  paperDelays: (params: Record<string, unknown>) => number;
  /** The paper's message count, and its formula as text (with these params). */
  paperMessages: (params: Record<string, unknown>) => {
    text: string;
    count: (n: number, f: number) => number;
  };
  /** This implementation's count, and how it differs from the paper's. */
  ours: { text: string; count: (n: number, f: number, params: Record<string, unknown>) => number };
}

const PROFILES: Record<string, Profile> = {
  'two-phase-commit': {
    rm: 'participant',
    usesF: false,
    paperDelays: () => 4,
    paperMessages: () => ({ text: '3N-1', count: (n) => 3 * n - 1 }),
    ours: { text: '4N (N Prepare, N votes, N Commit, N Ack)', count: (n) => 4 * n },
  },
  // Skeen's three-phase commit is not in Gray and Lamport's comparison: no paper column.
  'three-phase-commit': {
    rm: 'participant',
    usesF: false,
    paperDelays: () => Number.NaN,
    paperMessages: () => ({ text: 'not in the paper', count: () => Number.NaN }),
    ours: { text: '6N (CanCommit, votes, PreCommit, Acks, DoCommit, decision acks)', count: (n) => 6 * n },
  },
  'paxos-commit': {
    rm: 'rm',
    usesF: true,
    // Faster Paxos Commit (phase2bTo=all): the phase 2b go to every RM, and no Commit follows.
    paperDelays: (p) => (p.phase2bTo === 'all' ? 4 : 5),
    paperMessages: (p) =>
      p.phase2bTo === 'all'
        ? { text: 'N(2F+3)', count: (n, f) => n * (2 * f + 3) }
        : { text: '(N+1)(F+3)-2', count: (n, f) => (n + 1) * (f + 3) - 2 },
    ours: {
      text: 'N Prepare + N·k Phase2a + k Phase2b to the leader (and to every RM with phase2bTo=all) + N Commit (none with phase2bTo=all); k = F+1 (phase2aTo=majority) or 2F+1 (all)',
      count: (n, f, p) => {
        const k = p.phase2aTo === 'all' ? 2 * f + 1 : f + 1;
        return p.phase2bTo === 'all' ? n + n * k + k * (n + 1) : n + n * k + k + n;
      },
    },
  },
};

const args = process.argv.slice(2);
const sets: Record<string, unknown> = {};
const ids: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--set') {
    const [k, v] = (args[++i] ?? '').split('=');
    if (k === undefined || v === undefined) throw new Error('write --set param=value');
    sets[k] = JSON.parse(/^[\d.]+$|^true$|^false$/.test(v) ? v : JSON.stringify(v));
  } else ids.push(args[i]!);
}
if (ids.length === 0) ids.push('two-phase-commit', 'paxos-commit');

const HOP_US = 2000;
const BEGIN_US = 100_000;

/** The protocol's quick start reshaped: N RMs, 2F+1 acceptors, 1 ms links, no faults, one transaction. */
function scenario(id: string, p: Profile, n: number, f: number): Scenario {
  const base = defaultScenario(id);
  const params = { ...base.params, txnEveryMs: BEGIN_US / 1000, forceMs: 0, phase2aTo: 'majority', ...sets };
  const parsed = getProtocol(id)!.params.parse(params) as Record<string, unknown>;
  const others = base.topology.nodes.filter(
    (x) => x.role !== 'switch' && x.role !== p.rm && x.role !== 'acceptor',
  );
  const nodes = [
    ...others.map((x) => ({ id: x.id, role: x.role, x: 0, y: 0 })),
    ...Array.from({ length: n }, (_, k) => ({ id: `${p.rm}${k + 1}`, role: p.rm, x: 0, y: 0 })),
    ...(p.usesF
      ? Array.from({ length: 2 * f + 1 }, (_, k) => ({ id: `a${k + 1}`, role: 'acceptor', x: 0, y: 0 }))
      : []),
  ];
  return ScenarioSchema.parse({
    ...base,
    params: parsed,
    topology: star(nodes, { id: 'sw', x: 0, y: 0 }, { kind: 'constant', us: HOP_US / 2 }),
    faults: [],
    limits: { maxTimeUs: 2 * BEGIN_US - 1000 },
  });
}

/** One run: messages sent for T1, and the hops until the last RM knows its outcome. */
function measure(sc: Scenario, rmRole: string): { messages: number; delays: number; outcome: string } {
  const sim = new Simulation(sc, { seed: 1 });
  const rms = sc.topology.nodes.filter((x) => x.role === rmRole).map((x) => x.id);
  let lastUs = -1;
  let outcome = '?';
  while (sim.nowUs < sc.limits.maxTimeUs) {
    const r = sim.step(1);
    if (lastUs >= 0) {
      if (r.done) break;
      continue;
    }
    const known = rms.map(
      (id) =>
        (sim.nodeState(id)?.state as { audit?: { decisions?: Record<string, string> } })?.audit?.decisions
          ?.T1,
    );
    if (known.every((o) => o !== undefined)) {
      lastUs = sim.nowUs;
      outcome = known.every((o) => o === known[0]) ? known[0]! : 'split';
    }
    if (r.done) break;
  }
  const messages = sim
    .traceWindow({ fromUs: BEGIN_US, toUs: sc.limits.maxTimeUs }, 1e7)
    .filter((e) => e.kind === 'send' && e.peer !== e.node).length;
  return { messages, delays: lastUs < 0 ? Number.NaN : (lastUs - BEGIN_US) / HOP_US, outcome };
}

/** A figure, or a dash where the paper has none. */
const show = (x: number): string => (Number.isNaN(x) ? '-' : String(x));

const rows: string[][] = [
  ['protocol', 'N', 'F', 'delays', 'paper', 'messages', 'ours (formula)', 'paper formula', 'outcome'],
];
for (const id of ids) {
  const p = PROFILES[id] ?? { ...PROFILES['two-phase-commit']!, paperDelays: () => Number.NaN };
  if (getProtocol(id) === undefined) throw new Error(`unknown protocol ${id}`);
  for (const n of [1, 3, 5, 7])
    for (const f of p.usesF ? [0, 1, 2] : [0]) {
      const sc = scenario(id, p, n, f);
      const m = measure(sc, p.rm);
      const params = sc.params as Record<string, unknown>;
      const paper = p.paperMessages(params);
      rows.push([
        id,
        String(n),
        p.usesF ? String(f) : '-',
        String(m.delays),
        show(p.paperDelays(params)),
        String(m.messages),
        String(p.ours.count(n, f, params)),
        Number.isNaN(paper.count(n, f)) ? paper.text : `${paper.text} = ${paper.count(n, f)}`,
        m.outcome,
      ]);
    }
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows)
  console.log(
    r
      .map((x, c) => x.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
console.log('');
for (const id of ids) {
  const p = PROFILES[id];
  if (p !== undefined) console.log(`${id}: ours = ${p.ours.text}`);
}
