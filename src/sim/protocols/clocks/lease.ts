/**
 * Leases: a server lets one client at a time act alone for a term, counted on clocks. Source:
 * C. G. Gray, D. R. Cheriton, "Leases: An Efficient Fault-Tolerant Mechanism for Distributed
 * File Cache Consistency", SOSP 1989. Sections cited below are the paper's.
 *
 * - §1, §2: a lease is a contract that gives its holder a right for a limited term; the server
 *   grants no conflicting lease until the term has expired, so a holder that crashes or is cut
 *   off costs at most a term, with no message needed to take the right back.
 * - §2: the holder learns of the grant one message after the server started counting, so it
 *   counts the term from when it *sent* its request, and both sides allow ε for clock skew:
 *   "leases ... depend on well-behaved clocks": what is needed is bounded drift over a term,
 *   not synchronized clocks. A clock that runs slow at the holder, or fast (or jumps ahead) at
 *   the server, by more than ε over a term, lets two clients hold the lease at once.
 *
 * Here the right is exclusive (a write lease, or a lock); every client wants it again after
 * `thinkMs`. Choices where the paper is silent: one server; the holder gives ε up at its end of
 * the term (the server waits the full term); a busy server answers `Busy`, and the client asks
 * again after `retryMs`; a holder does not renew, it asks anew once its term is over.
 */
import { z } from 'zod';
import type { Ctx, Invariant, Protocol } from '../../protocol';
import { clockedNode, link } from '../../toolkit/topology';
import { clockErrorSeries } from './plot';
import { ms } from './units';

export const LeaseParams = z.object({
  /** The lease term, ms. */
  termMs: z.number().int().min(1).max(600_000).default(1000),
  /** ε: what the holder gives up at the end of its term for clock skew, ms (§2). */
  epsilonMs: z.number().int().min(0).max(600_000).default(20),
  /** How long a client waits before it wants the lease again, at most, ms (uniform from 0). */
  thinkMs: z.number().int().min(0).max(600_000).default(300),
  /** How long a client refused (or unanswered) waits before asking again, ms. */
  retryMs: z.number().int().min(1).max(600_000).default(100),
});
export type LeaseParams = z.infer<typeof LeaseParams>;

/** A client asks for the lease. */
export interface Acquire {
  type: 'Acquire';
  /** Which request this is (the answer echoes it). */
  req: number;
}

/** The server grants it for a term. */
export interface Grant {
  type: 'Grant';
  req: number;
  /** The term, µs. */
  termUs: number;
}

/** The server refuses: someone holds it. */
export interface Busy {
  type: 'Busy';
  req: number;
}

export type LeaseMsg = Acquire | Grant | Busy;

export interface ServerState {
  kind: 'server';
  /** Who was granted the lease last ('' none). */
  holder: string;
  /** When its term ends on the server's clock, µs. */
  expiresAt: number;
  /** Leases granted. */
  grants: number;
}

export interface ClientState {
  kind: 'client';
  /** The request in flight (0: none). */
  req: number;
  /** The client's clock when it sent it. */
  askedAt: number;
  /** The client believes it holds the lease while its clock reads less than this, µs (null: never held). */
  until: number | null;
  /** True from a grant until its 'expire' timer fires (the badge; the check reads the clock). */
  holding: boolean;
  /** Leases held. */
  held: number;
}

export type LeaseState = ServerState | ClientState;

type C = Ctx<LeaseParams, LeaseMsg>;

function ask(ctx: C, s: ClientState): void {
  const server = ctx.nodesWithRole('server')[0];
  if (server === undefined) return;
  s.req += 1;
  s.askedAt = ctx.now();
  ctx.send(server, { type: 'Acquire', req: s.req });
  ctx.setTimer('retry', ctx.params.retryMs * 1000);
}

/** §2: the server grants no conflicting lease while, on its clock, a term is running. */
function serve(ctx: C, s: ServerState, from: string, m: Acquire): void {
  const now = ctx.now();
  if (s.holder !== '' && s.holder !== from && now < s.expiresAt) {
    ctx.send(from, { type: 'Busy', req: m.req });
    return;
  }
  const termUs = ctx.params.termMs * 1000;
  s.holder = from;
  s.expiresAt = now + termUs;
  s.grants += 1;
  ctx.send(from, { type: 'Grant', req: m.req, termUs });
}

/** §2: the holder counts the term from its request, less ε, on its own clock. */
function granted(ctx: C, s: ClientState, m: Grant): void {
  if (m.req !== s.req) return; // an answer to an older request
  s.req = 0;
  ctx.cancelTimer('retry');
  const now = ctx.now();
  const until = s.askedAt + m.termUs - ctx.params.epsilonMs * 1000;
  s.until = until;
  if (now >= until) {
    ctx.note('the grant came too late to use');
    ctx.setTimer('want', ctx.params.retryMs * 1000);
    return;
  }
  s.held += 1;
  s.holding = true;
  ctx.note(`holds the lease until its clock reads ${ms(until)}`);
  ctx.emit({ type: 'acquired', until });
  ctx.setTimer('expire', until - now);
}

/**
 * The lease's one promise: at no instant do two clients both believe they hold it. A client
 * starts believing at a step (the grant) and stops when its own clock reaches its `until`, so
 * it is enough to check, at each grant, every other client's clock against its `until`. The
 * clocks are read from the view (the kernel's): no node can see another's.
 */
const singleHolder: Invariant<LeaseState> = {
  id: 'single-holder',
  title: 'At no instant do two clients both believe they hold the lease',
  check({ changed, nodes, events }) {
    if (!events.some((e) => e.type === 'acquired')) return null;
    for (const n of nodes) {
      if (n === changed || !n.up || n.state.kind !== 'client' || n.localUs === undefined) continue;
      if (n.state.until !== null && n.localUs < n.state.until)
        return `${changed.id} and ${n.id} both believe they hold the lease: ${n.id}'s clock reads ${ms(n.localUs)}, its term runs until ${ms(n.state.until)}`;
    }
    return null;
  },
};

export const lease: Protocol<LeaseParams, LeaseState, LeaseMsg> = {
  id: 'lease',
  topic: 'clocks',
  title: 'Leases (Gray & Cheriton)',
  version: 1,
  // A term of 1 s: at 0.5x a lease passes from client to client every 2 s or so on screen.
  speed: 0.5,
  roles: [
    { id: 'server', label: 'Lease server', min: 1, max: 1 },
    { id: 'client', label: 'Client', min: 1, max: null },
  ],
  params: LeaseParams,
  defaultTopology() {
    const lan = { kind: 'uniform', minUs: 2000, maxUs: 5000 } as const;
    const n = clockedNode;
    // Clocks drift apart by at most 60 ppm: 60 µs over a 1 s term, well inside ε = 20 ms.
    return {
      nodes: [
        n('srv', 'server', 200, 250, 0, 10),
        n('c1', 'client', 0, 0, 120_000, -30),
        n('c2', 'client', 200, 0, -40_000, 25),
        n('c3', 'client', 400, 0, 7000, -50),
      ],
      links: [link('srv', 'c1', lan), link('srv', 'c2', lan), link('srv', 'c3', lan)],
    };
  },
  quickStart() {
    return { maxTimeUs: 20_000_000 };
  },
  init(node) {
    return node.role === 'server'
      ? { kind: 'server', holder: '', expiresAt: 0, grants: 0 }
      : { kind: 'client', req: 0, askedAt: 0, until: null, holding: false, held: 0 };
  },
  on(ctx, s, input) {
    switch (input.kind) {
      case 'start':
      case 'restart':
        if (s.kind === 'client') ctx.setTimer('want', ctx.rng.int(0, ctx.params.thinkMs * 1000));
        return;
      case 'timer':
        if (s.kind !== 'client') return;
        if (input.name === 'want' || input.name === 'retry') ask(ctx, s);
        else if (input.name === 'expire') {
          s.holding = false;
          ctx.note('its term is over');
          ctx.setTimer('want', ctx.rng.int(0, ctx.params.thinkMs * 1000));
        }
        return;
      case 'message': {
        const m = input.msg;
        if (s.kind === 'server') {
          if (m.type === 'Acquire') serve(ctx, s, input.from, m);
        } else if (m.type === 'Grant') granted(ctx, s, m);
        else if (m.type === 'Busy' && m.req === s.req) {
          s.req = 0;
          ctx.setTimer('retry', ctx.params.retryMs * 1000);
        }
        return;
      }
      case 'client':
        ctx.reply(input.op, { ok: false });
        return;
    }
  },
  // The server's grant is on disk (a restarted server must not grant again within a term);
  // a client that crashes forgets its lease (it acts no more), and keeps its count.
  durable: ['holder', 'expiresAt', 'grants', 'held'],
  invariants: [singleHolder],
  // No liveness: a lease promises safety; which client gets it next is a race (no queue).
  historyCheckers: [],
  metrics: [
    {
      id: 'grants',
      unit: 'leases',
      read: (nodes) => nodes.reduce((x, n) => x + (n.state.kind === 'server' ? n.state.grants : 0), 0),
    },
  ],
  nodeMetrics: [
    clockErrorSeries<LeaseState>('clock error of every node (the lease needs bounded drift, not agreement)'),
  ],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    if (s.kind === 'server')
      return s.holder === ''
        ? { text: 'lease server', tone: 'neutral' }
        : { text: `granted to ${s.holder} · ${s.grants} grants`, tone: 'good' };
    if (s.holding) return { text: `holds the lease · ${s.held}×`, tone: 'good' };
    return s.req !== 0
      ? { text: 'asking', tone: 'neutral' }
      : { text: `held ${s.held}×`, tone: s.held > 0 ? 'neutral' : 'warn' };
  },
  bugs: [],
  lesson: {
    summary:
      'A lease lets one client act alone for a term without asking anyone, and costs at most a term when its holder crashes. But the term is counted on two clocks: the server waits its term out on its own clock, the holder stops on its own. That needs only bounded drift, which ε covers, until a clock runs slow at the holder or fast at the server by more than ε over a term, or jumps ahead at the server: then the server grants the lease again while the old holder still believes it holds it.',
    watch: [
      'The lease passes from client to client: each badge counts the leases it held, the server names the holder',
      "Each client's note gives the time its own clock must reach before it stops: the term counted from its request, less ε",
      'single-holder: checked at every grant against the other clients’ clocks, which the kernel knows and no node does',
    ],
    tryThis: [
      "Open the library's 'Leases: the server's clock jumps ahead': the server's clock steps 300 ms forward in the middle of c1's term, it grants the lease again, and single-holder stops the run",
      "Make c1's clock drift −50,000 ppm (a broken oscillator): it loses 50 ms over a term, more than ε, so it holds past the server's term and single-holder catches the next grant",
      'Then raise ε (epsilonMs) to 60: the holder gives up enough of its term, and the run holds',
      "Another protocol that trusts clocks: open the library's 'Dynamo, CP with last writer wins: n4’s clock 50 ms behind' (topic CAP): writes stamped by a clock behind lose to writes that finished before them",
    ],
  },
};
