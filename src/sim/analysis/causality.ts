/**
 * Causality in a run, computed from its trace alone, for any protocol: Lamport's happened-before
 * relation ("Time, Clocks, and the Ordering of Events in a Distributed System", CACM 21(7),
 * 1978, §2) and the vector clocks that characterise it (Fidge 1988; Mattern, "Virtual Time and
 * Global States of Distributed Systems", 1989, §4-5).
 *
 * The events are the trace rows that happen at one process: start, restart, send, deliver (a
 * receipt), timer, client, reply, note, and a fault that names a node (a crash). A drop is the
 * network's, not a process's, and a violation row is a checker's verdict: neither is an event.
 * Happened-before (→) is the smallest transitive relation with
 *   1. a → b when a and b are rows of the same process and a comes first (process order);
 *   2. a → b when a is the send row of a message and b a delivery of it (same sendId).
 * The kernel writes rows in the order it performs them, so a send row always precedes its
 * deliveries: one pass in row order gives every event its vector clock V, with
 *   V(e)[p] = the number of events of p in e's causal past, e included,
 * and a → b exactly when a ≠ b and V(a)[proc(a)] ≤ V(b)[proc(a)] (Mattern 1989, §5).
 *
 * Only the rows given count: a window that starts mid-run sees the part of the run inside it,
 * and its clocks start at 1 there (what a log viewer such as ShiViz needs).
 */
import type { TraceEvent } from '../kernel/trace';

/** Row kinds that are events of a process. */
const EVENT_KINDS: ReadonlySet<TraceEvent['kind']> = new Set([
  'start',
  'restart',
  'send',
  'deliver',
  'timer',
  'client',
  'reply',
  'note',
  'fault',
]);

/** One event of a process, taken from a trace row. */
export interface CausalEvent {
  /** The trace row. */
  row: number;
  /** The kernel event (step) that wrote it. */
  index: number;
  /** Virtual time, microseconds. */
  timeUs: number;
  /** The process. */
  node: string;
  /** Row kind. */
  kind: TraceEvent['kind'];
  /** Its number at its process: 1 for the process's first event in the rows. */
  seq: number;
  /** What happened, one line ("send Msg to p2", "timer send", a note's text). */
  text: string;
  /** Sends and deliveries: the message's send id. */
  sendId?: number;
  /** Sends: the receiver; deliveries: the sender. */
  peer?: string;
  /** Sends and deliveries: the message type. */
  msgType?: string;
  /** Deliveries: the position (in `events`) of the send, when it is in the rows. */
  sendAt?: number;
}

/** The happened-before relation of a stretch of trace. */
export interface Causality {
  /** The processes, in order of their first event. */
  hosts: string[];
  /** The events, in row order. */
  events: CausalEvent[];
  /** Event position by trace row. */
  at: ReadonlyMap<number, number>;
  /** The vector clock of the event at a position: entries for every host, zeros included. */
  clock(pos: number): Record<string, number>;
}

/** A message on a chain: its send and its delivery. */
export interface Hop {
  /** Sender. */
  from: string;
  /** Receiver. */
  to: string;
  /** Message type. */
  msgType: string;
  /** Trace row of the send. */
  sendRow: number;
  /** Trace row of the delivery. */
  deliverRow: number;
  /** Kernel events of the send and the delivery. */
  sendIndex: number;
  deliverIndex: number;
}

/** How two events are ordered, and why. */
export interface Ordering {
  /** a before b (a → b), after (b → a), concurrent (neither), or the same event. */
  relation: 'before' | 'after' | 'concurrent' | 'same';
  /** For before/after: the messages that carry the earlier event's influence to the later, in order (empty within one process). */
  chain: Hop[];
  /** One or two sentences. */
  reason: string;
  /** The two events' vector clocks. */
  clockA: Record<string, number>;
  clockB: Record<string, number>;
}

function describeRow(r: TraceEvent): string {
  const detail = r.detail ?? '';
  switch (r.kind) {
    case 'send':
      return `send ${r.msgType ?? '?'} to ${r.peer ?? '?'}`;
    case 'deliver':
      return `deliver ${r.msgType ?? '?'} from ${r.peer ?? '?'}`;
    case 'timer':
      return `timer ${detail}`;
    case 'fault':
      return `fault ${detail}`;
    case 'start':
    case 'restart':
      return r.kind;
    default:
      return detail;
  }
}

/** The happened-before relation of these trace rows (in row order, as the kernel wrote them). */
export function causalityOf(rows: readonly TraceEvent[]): Causality {
  const hostIx = new Map<string, number>();
  const hosts: string[] = [];
  const events: CausalEvent[] = [];
  const at = new Map<number, number>();
  for (const r of rows) {
    if (!EVENT_KINDS.has(r.kind) || r.node === '') continue;
    if (!hostIx.has(r.node)) {
      hostIx.set(r.node, hosts.length);
      hosts.push(r.node);
    }
  }
  const n = hosts.length;
  // clocks[pos * n + h]: the clock of event pos, entry of host h.
  const clocks: number[] = [];
  const last = new Array<number>(n).fill(-1); // each host's latest event position
  const sends = new Map<number, number>(); // sendId → position of its send
  for (const r of rows) {
    if (!EVENT_KINDS.has(r.kind) || r.node === '') continue;
    const h = hostIx.get(r.node)!;
    const pos = events.length;
    const prev = last[h]!;
    for (let k = 0; k < n; k++) clocks.push(prev < 0 ? 0 : clocks[prev * n + k]!);
    const e: CausalEvent = {
      row: r.row,
      index: r.index,
      timeUs: r.timeUs,
      node: r.node,
      kind: r.kind,
      seq: (prev < 0 ? 0 : clocks[prev * n + h]!) + 1,
      text: describeRow(r),
    };
    if (r.sendId !== undefined && (r.kind === 'send' || r.kind === 'deliver')) {
      e.sendId = r.sendId;
      if (r.peer !== undefined) e.peer = r.peer;
      if (r.msgType !== undefined) e.msgType = r.msgType;
    }
    if (r.kind === 'send' && r.sendId !== undefined) sends.set(r.sendId, pos);
    if (r.kind === 'deliver' && r.sendId !== undefined) {
      const s = sends.get(r.sendId);
      if (s !== undefined) {
        e.sendAt = s;
        // Receipt: merge the sender's clock at the send (componentwise maximum).
        for (let k = 0; k < n; k++)
          if (clocks[s * n + k]! > clocks[pos * n + k]!) clocks[pos * n + k] = clocks[s * n + k]!;
      }
    }
    clocks[pos * n + h] = e.seq;
    last[h] = pos;
    at.set(r.row, pos);
    events.push(e);
  }
  return {
    hosts,
    events,
    at,
    clock(pos) {
      const out: Record<string, number> = {};
      for (let k = 0; k < n; k++) out[hosts[k]!] = clocks[pos * n + k]!;
      return out;
    },
  };
}

/** a → b: a ≠ b and b's clock counts a (Mattern 1989, §5). */
export function happenedBefore(c: Causality, a: number, b: number): boolean {
  if (a === b) return false;
  const ea = c.events[a]!;
  return (c.clock(b)[ea.node] ?? 0) >= ea.seq;
}

function show(e: CausalEvent): string {
  return `${e.node}'s ${e.text || e.kind} (row ${e.row}, event ${e.index})`;
}

/**
 * The messages that carry a's influence to b, a → b assumed: a forward pass over the rows
 * between them, which reaches each process by the first message that can carry it there.
 */
function chainBetween(c: Causality, a: number, b: number): Hop[] {
  type Link = { hop: Hop; prev: Link | null } | null;
  const reached = new Map<string, Link>([[c.events[a]!.node, null]]);
  const carried = new Map<number, Link>(); // position of a send → the chain that reached it
  for (let i = a; i <= b; i++) {
    const e = c.events[i]!;
    if (e.kind === 'deliver' && e.sendAt !== undefined && !reached.has(e.node) && carried.has(e.sendAt)) {
      const s = c.events[e.sendAt]!;
      const hop: Hop = {
        from: s.node,
        to: e.node,
        msgType: e.msgType ?? '',
        sendRow: s.row,
        deliverRow: e.row,
        sendIndex: s.index,
        deliverIndex: e.index,
      };
      reached.set(e.node, { hop, prev: carried.get(e.sendAt) ?? null });
    }
    if (e.kind === 'send' && reached.has(e.node)) carried.set(i, reached.get(e.node) ?? null);
  }
  const hops: Hop[] = [];
  for (let l = reached.get(c.events[b]!.node) ?? null; l !== null; l = l.prev) hops.unshift(l.hop);
  return hops;
}

function hopText(h: Hop): string {
  return `${h.from} sends ${h.msgType} (event ${h.sendIndex}), ${h.to} receives it (event ${h.deliverIndex})`;
}

function clockText(v: Record<string, number>): string {
  return `{${Object.entries(v)
    .map(([k, x]) => `${k}:${x}`)
    .join(' ')}}`;
}

/**
 * How the events of two trace rows are ordered: before, after or concurrent, with the chain of
 * messages as the reason. Throws when a row is not an event of the rows given (a drop, a
 * violation, a row outside the window).
 */
export function ordering(c: Causality, rowA: number, rowB: number): Ordering {
  const a = c.at.get(rowA);
  const b = c.at.get(rowB);
  if (a === undefined) throw new Error(`row ${rowA} is not an event of a process in these rows`);
  if (b === undefined) throw new Error(`row ${rowB} is not an event of a process in these rows`);
  const clockA = c.clock(a);
  const clockB = c.clock(b);
  const ea = c.events[a]!;
  const eb = c.events[b]!;
  if (a === b) return { relation: 'same', chain: [], reason: `the same event: ${show(ea)}`, clockA, clockB };
  const forward = happenedBefore(c, a, b);
  if (forward || happenedBefore(c, b, a)) {
    const [x, y] = forward ? [a, b] : [b, a];
    const ex = c.events[x]!;
    const ey = c.events[y]!;
    const chain = chainBetween(c, x, y);
    const why =
      chain.length === 0
        ? `both happen at ${ex.node}, ${ex.node === ey.node ? 'one after the other' : ''}`.trim()
        : chain.map(hopText).join('; then ');
    return {
      relation: forward ? 'before' : 'after',
      chain,
      reason: `${show(ex)} happened before ${show(ey)}: ${why}.`,
      clockA,
      clockB,
    };
  }
  return {
    relation: 'concurrent',
    chain: [],
    reason: `${show(ea)} and ${show(eb)} are concurrent: no chain of messages leads from either to the other (${ea.node}:${ea.seq} is not in ${clockText(clockB)}, ${eb.node}:${eb.seq} is not in ${clockText(clockA)}).`,
    clockA,
    clockB,
  };
}

/** ShiViz's default log regex (js/shiviz.js `defaultParser`): the event line, then `host {clock}`. */
export const SHIVIZ_REGEX = '(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})';

/** An event's text on one line: control characters (newlines included) become spaces. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
}

/**
 * The rows as a log ShiViz opens (https://bestchai.bitbucket.io/shiviz/, "Select a file"): the
 * first line is the parsing regex (ShiViz's default), the second the executions delimiter (empty:
 * one execution), then two lines per event: what happened (with its kernel event and time), and
 * the process with its vector clock as JSON. Zero entries are left out (ShiViz drops them
 * anyway); each process's own entry counts 1, 2, 3... as ShiViz requires.
 */
export function toShiViz(c: Causality): string {
  const out: string[] = [SHIVIZ_REGEX, ''];
  for (let pos = 0; pos < c.events.length; pos++) {
    const e = c.events[pos]!;
    const v = c.clock(pos);
    const clock: Record<string, number> = {};
    for (const h of c.hosts) if (v[h]! > 0) clock[h] = v[h]!;
    out.push(`${oneLine(e.text || e.kind)} · event ${e.index}, ${(e.timeUs / 1000).toFixed(3)} ms`);
    out.push(`${e.node} ${JSON.stringify(clock)}`);
  }
  return `${out.join('\n')}\n`;
}

/** One event read back from a ShiViz log. */
export interface ShiVizEvent {
  /** The event's text. */
  event: string;
  /** The process. */
  host: string;
  /** Its vector clock. */
  clock: Record<string, number>;
}

/**
 * Reads a log written by toShiViz back, the way ShiViz does: the first line's regex (anchored
 * per line, as ShiViz anchors it), matched over the log after the second line.
 */
export function parseShiViz(text: string): ShiVizEvent[] {
  const first = text.indexOf('\n');
  const second = text.indexOf('\n', first + 1);
  if (first < 0 || second < 0) throw new Error('a ShiViz log has a regex line and a delimiter line first');
  const regex = new RegExp(`^${text.slice(0, first)}$`, 'gm');
  const log = text.slice(second + 1);
  const events: ShiVizEvent[] = [];
  for (const m of log.matchAll(regex)) {
    const g = m.groups ?? {};
    events.push({ event: g.event ?? '', host: g.host ?? '', clock: JSON.parse(g.clock ?? '{}') });
  }
  return events;
}
