import { z } from 'zod';
import type { Effects, Input, Outbound, Protocol, StepEnv } from '../../protocol';

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
}

// States are built field by field (not with spread) so every state object has one shape:
// this protocol is the benchmark's hot path. When the kernel holds the only reference to the
// state (env.owned) a step changes it in place, and when the kernel reads the effects at once
// (env.reuseEffects) it gets the same effects object and one-item send list every time,
// refilled (docs/kernel.md "Protocol contract"). Other callers (tests, scripts) get new
// objects, as before. Messages are always new: the kernel keeps them in flight.

/** The state a step may change: the input itself when the kernel owns it, else a copy. */
function writable(s: PingPongState, env: StepEnv<PingPongParams>): PingPongState {
  if (env.owned === true) return s;
  return {
    partner: s.partner,
    seq: s.seq,
    rounds: s.rounds,
    answered: s.answered,
    sentAtUs: s.sentAtUs,
    lastRttUs: s.lastRttUs,
  };
}

/** The effects lent to the kernel, one shape with a retry timer and one without. */
const lentSend: Effects<PingPongState, PingPongMsg> & { send: Outbound<PingPongMsg>[] } = {
  state: undefined as unknown as PingPongState,
  send: [{ to: '', msg: { type: 'ping', seq: 0 } }],
};
const lentRetry: Effects<PingPongState, PingPongMsg> & {
  send: Outbound<PingPongMsg>[];
  timers: [{ kind: 'set'; name: string; afterUs: number }];
} = {
  state: undefined as unknown as PingPongState,
  send: [{ to: '', msg: { type: 'ping', seq: 0 } }],
  timers: [{ kind: 'set', name: 'retry', afterUs: 0 }],
};

/** A step's effects: the new state and one message, with the retry timer when `retryUs` > 0. */
function sendOne(
  state: PingPongState,
  to: string,
  msg: PingPongMsg,
  retryUs: number,
  env: StepEnv<PingPongParams>,
): Effects<PingPongState, PingPongMsg> {
  if (env.reuseEffects === true) {
    let e: typeof lentSend = lentSend;
    if (retryUs > 0) {
      lentRetry.timers[0].afterUs = retryUs;
      e = lentRetry;
    }
    e.state = state;
    const out = e.send[0]!;
    out.to = to;
    out.msg = msg;
    return e;
  }
  const send = [{ to, msg }];
  if (retryUs > 0) return { state, send, timers: [{ kind: 'set', name: 'retry', afterUs: retryUs }] };
  return { state, send };
}

function sendPing(
  s: PingPongState,
  rounds: number,
  lastRttUs: number,
  env: StepEnv<PingPongParams>,
): Effects<PingPongState, PingPongMsg> {
  const seq = s.seq + 1;
  const state = writable(s, env);
  state.seq = seq;
  state.rounds = rounds;
  state.sentAtUs = env.localTimeUs;
  state.lastRttUs = lastRttUs;
  return sendOne(state, s.partner, { type: 'ping', seq }, env.params.retryUs, env);
}

export const pingPong: Protocol<PingPongParams, PingPongState, PingPongMsg> = {
  id: 'ping-pong',
  topic: 'basics',
  title: 'Ping-pong',
  version: 1,
  roles: [{ id: 'node', label: 'Node', min: 2, max: null }],
  params: PingPongParams,
  defaultTopology() {
    const ids = ['n1', 'n2', 'n3'];
    return {
      nodes: [
        ...ids.map((id, k) => ({
          id,
          name: id,
          role: 'node',
          x: 100 + 200 * k,
          y: 100,
          clockOffsetUs: 0,
          clockDriftPpm: 0,
        })),
        { id: 'sw', name: 'switch', role: 'switch', x: 300, y: 300, clockOffsetUs: 0, clockDriftPpm: 0 },
      ],
      links: ids.map((id) => ({
        id: `${id}-sw`,
        a: id,
        b: 'sw',
        latency: { kind: 'uniform' as const, minUs: 400, maxUs: 600 },
        lossRate: 0,
        dupRate: 0,
        reorderRate: 0,
        reorderDelayUs: 5000,
      })),
    };
  },
  init(node) {
    const ring = node.nodes;
    const k = ring.indexOf(node.id);
    const partner = ring.length > 1 ? ring[(k + 1) % ring.length]! : '';
    return { partner, seq: 0, rounds: 0, answered: 0, sentAtUs: 0, lastRttUs: 0 };
  },
  step(s, input: Input<PingPongMsg>, env) {
    switch (input.kind) {
      case 'start':
      case 'restart':
        return s.partner === '' ? { state: s } : sendPing(s, s.rounds, s.lastRttUs, env);
      case 'timer':
        return input.name === 'retry' ? sendPing(s, s.rounds, s.lastRttUs, env) : { state: s };
      case 'message': {
        const m = input.msg;
        if (m.type === 'ping') {
          const state = writable(s, env);
          state.answered = s.answered + 1;
          const pong: PingPongMsg = { type: 'pong', seq: env.params.bugWrongSeq ? m.seq + 1 : m.seq };
          return sendOne(state, input.from, pong, 0, env);
        }
        // Only the pong for the outstanding ping counts; late duplicates are ignored.
        if (m.seq !== s.seq || input.from !== s.partner) return { state: s };
        return sendPing(s, s.rounds + 1, env.localTimeUs - s.sentAtUs, env);
      }
      case 'client':
        return { state: s, reply: [{ id: input.op.id, ok: false }] };
    }
  },
  durable(s) {
    return { partner: s.partner, rounds: s.rounds, seq: s.seq };
  },
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
  metrics: [
    {
      id: 'rounds',
      unit: 'rounds',
      read(nodes) {
        let n = 0;
        for (const v of nodes) n += v.state.rounds;
        return n;
      },
    },
  ],
  summary(s, up) {
    return up ? { text: `${s.rounds} rounds`, tone: 'good' } : { text: 'crashed', tone: 'bad' };
  },
  bugs: [
    {
      param: 'bugWrongSeq',
      title: 'Pongs echo the wrong sequence number, so pingers only advance on retries',
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
