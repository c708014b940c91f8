import { z } from 'zod';
import type { Ctx, Liveness, Protocol } from '../../protocol';
import { sumOver } from '../../toolkit/metrics';
import { star } from '../../toolkit/topology';

/**
 * Ping-pong: every node pings the next node in id order (a ring) and answers pings with
 * pongs; a pong makes the pinger send its next ping. The benchmark baseline: one message per
 * event, nothing else. With `retryUs` > 0 a lost ping is re-sent after that long on the
 * pinger's local clock.
 */
export const PingPongParams = z.object({
  /** Re-send a ping not answered within this local time; 0 disables retries. */
  retryUs: z.number().int().min(0).default(50_000),
  /** Bug switch: answer a ping with a pong carrying the wrong sequence number. */
  bugWrongSeq: z.boolean().default(false),
});
/** Ping-pong params. */
export type PingPongParams = z.infer<typeof PingPongParams>;

/** A ping-pong message. */
export type PingPongMsg = { type: 'ping'; seq: number } | { type: 'pong'; seq: number };

/** A ping-pong node. */
export interface PingPongState {
  /** The node this one pings ('' when alone). */
  partner: string;
  /** Sequence number of the outstanding ping (0 none yet). */
  seq: number;
  /** Pongs received for our own pings (durable: survives a crash). */
  rounds: number;
  /** Pings answered (volatile). */
  answered: number;
  /** Local time the outstanding ping was sent (volatile). */
  sentAtUs: number;
  /** Last measured round trip on the local clock (volatile). */
  lastRttUs: number;
  /** Pings sent since the last round (the outstanding one included; volatile). */
  unanswered: number;
}

/** Tries a node may make without completing a round once the faults stop (see roundsComplete). */
export const MAX_TRIES = 20;

/**
 * "After the faults stop, every node whose partner runs completes a round within MAX_TRIES
 * pings": on a network that delivers, a ping or its pong may be lost a few times, never twenty
 * in a row. Checked from MAX_TRIES retry intervals after the last fault (no check without
 * retries: a lost ping then stalls its pair for good, which the lesson shows).
 */
const roundsComplete: Liveness<PingPongState, PingPongParams> = {
  id: 'rounds-complete',
  title: `After the faults stop, every node whose partner is up completes a round within ${MAX_TRIES} pings`,
  withinUs: (p) => MAX_TRIES * Math.max(p.retryUs, 1),
  check({ nodes }) {
    for (const v of nodes) {
      const s = v.state;
      if (!v.up || s.partner === '' || s.unanswered <= MAX_TRIES) continue;
      if (!nodes.some((w) => w.id === s.partner && w.up)) continue;
      return `${v.id} sent ${s.unanswered} pings to ${s.partner} since its last round, and none was answered`;
    }
    return null;
  },
};

/** Sends the next ping to the partner and, when retries are on, arms the retry timer. */
function sendPing(ctx: Ctx<PingPongParams, PingPongMsg>, s: PingPongState): void {
  s.seq += 1;
  s.unanswered += 1;
  s.sentAtUs = ctx.now();
  ctx.send(s.partner, { type: 'ping', seq: s.seq });
  if (ctx.params.retryUs > 0) ctx.setTimer('retry', ctx.params.retryUs);
}

export const pingPong: Protocol<PingPongParams, PingPongState, PingPongMsg> = {
  id: 'ping-pong',
  topic: 'basics',
  title: 'Ping-pong',
  version: 1,
  // Hops of 1 ms: at 0.005x each takes 200 ms on screen, so a ball can be followed round the ring.
  speed: 0.005,
  roles: [{ id: 'node', label: 'Node', min: 2, max: null }],
  params: PingPongParams,
  defaultTopology() {
    // Three nodes on one switch, 400-600 us per hop.
    const nodes = ['n1', 'n2', 'n3'].map((id, k) => ({ id, role: 'node', x: 100 + 200 * k, y: 100 }));
    return star(nodes, { id: 'sw', x: 300, y: 300 }, { kind: 'uniform', minUs: 400, maxUs: 600 });
  },
  init(node) {
    const ring = node.nodes;
    const k = ring.indexOf(node.id);
    const partner = ring.length > 1 ? ring[(k + 1) % ring.length]! : '';
    return { partner, seq: 0, rounds: 0, answered: 0, sentAtUs: 0, lastRttUs: 0, unanswered: 0 };
  },
  on(ctx, s, input) {
    switch (input.kind) {
      case 'start':
      case 'restart':
        if (s.partner !== '') sendPing(ctx, s);
        return;
      case 'timer':
        // The ping went unanswered (lost, or the partner is down): send the next one.
        if (input.name === 'retry') sendPing(ctx, s);
        return;
      case 'message': {
        const m = input.msg;
        if (m.type === 'ping') {
          s.answered += 1;
          ctx.send(input.from, { type: 'pong', seq: ctx.params.bugWrongSeq ? m.seq + 1 : m.seq });
          return;
        }
        // Only the pong for the outstanding ping counts; late duplicates are ignored.
        if (m.seq !== s.seq || input.from !== s.partner) return;
        s.rounds += 1;
        s.unanswered = 0;
        s.lastRttUs = ctx.now() - s.sentAtUs;
        sendPing(ctx, s);
        return;
      }
      case 'client':
        ctx.reply(input.op, { ok: false });
        return;
    }
  },
  durable: ['partner', 'rounds', 'seq'],
  liveness: [roundsComplete],
  invariants: [
    {
      id: 'rounds-le-pings',
      title: 'A node never counts more rounds than pings it sent',
      check({ changed }) {
        const s = changed.state;
        return s.rounds <= s.seq ? null : `${changed.id} counted ${s.rounds} rounds for ${s.seq} pings`;
      },
    },
  ],
  historyCheckers: [],
  metrics: [sumOver('rounds', 'rounds', (s) => s.rounds)],
  summary(s, up) {
    return up ? { text: `${s.rounds} rounds`, tone: 'good' } : { text: 'crashed', tone: 'bad' };
  },
  bugs: [
    {
      param: 'bugWrongSeq',
      title:
        'Pongs echo the wrong sequence number: the pong of the outstanding ping never comes, so pingers only retry',
    },
  ],
  lesson: {
    summary:
      'Two processes exchange a message and its answer. Round-trip time is the sum of both one-way latencies; a lost message stalls the pair until the retry timer fires.',
    watch: ['The round trip on each node', 'What happens to a pair when a link drops messages'],
    tryThis: [
      'Set lossRate 0.2 on one link and watch retries',
      'Give one node a drift of 50000 ppm and compare RTTs',
    ],
  },
};
