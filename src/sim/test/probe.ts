import { z } from 'zod';
import { registerProtocol } from '../catalog';
import type { Protocol } from '../protocol';

/** Test-only protocol: records when its timers fire, on the local clock and in true time. */
export interface ProbeState {
  /** Local times at which 'tick' fired. */
  fired: number[];
  /** Messages received (type:from). */
  got: string[];
  /** Volatile counter. */
  volatile: number;
  /** Durable counter. */
  durable: number;
}

export const probe: Protocol<{ tickUs: number; sendTo: string }, ProbeState, { type: string }> = {
  id: 'test-probe',
  topic: 'test',
  title: 'Probe',
  version: 1,
  speed: 0.01,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: z.object({ tickUs: z.number().default(100_000), sendTo: z.string().default('') }),
  defaultTopology: () => ({ nodes: [], links: [] }),
  init: () => ({ fired: [], got: [], volatile: 0, durable: 0 }),
  on(ctx, s, input) {
    if (input.kind === 'start' || input.kind === 'restart') ctx.setTimer('tick', ctx.params.tickUs);
    else if (input.kind === 'timer') {
      if (ctx.params.sendTo !== '' && ctx.params.sendTo !== ctx.self)
        ctx.send(ctx.params.sendTo, { type: 'm' });
      s.fired.push(ctx.now());
      s.volatile += 1;
      s.durable += 1;
      ctx.setTimer('tick', ctx.params.tickUs);
    } else if (input.kind === 'message') s.got.push(`${input.msg.type}:${input.from}`);
  },
  durable: ['durable'],
  invariants: [],
  historyCheckers: [],
  metrics: [],
  summary: () => ({ text: '', tone: 'neutral' }),
  bugs: [],
  lesson: { summary: '', watch: [], tryThis: [] },
};

registerProtocol(probe);
