import { z } from 'zod';
import { registerProtocol } from '../catalog';
import type { StepProtocol } from '../protocol';

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

export const probe: StepProtocol<{ tickUs: number; sendTo: string }, ProbeState, { type: string }> = {
  id: 'test-probe',
  topic: 'test',
  title: 'Probe',
  version: 1,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: z.object({ tickUs: z.number().default(100_000), sendTo: z.string().default('') }),
  defaultTopology: () => ({ nodes: [], links: [] }),
  init: () => ({ fired: [], got: [], volatile: 0, durable: 0 }),
  step(s, input, env) {
    if (input.kind === 'start' || input.kind === 'restart')
      return { state: s, timers: [{ kind: 'set', name: 'tick', afterUs: env.params.tickUs }] };
    if (input.kind === 'timer') {
      const send =
        env.params.sendTo !== '' && env.params.sendTo !== env.self
          ? [{ to: env.params.sendTo, msg: { type: 'm' } }]
          : [];
      return {
        state: {
          ...s,
          fired: [...s.fired, env.localTimeUs],
          volatile: s.volatile + 1,
          durable: s.durable + 1,
        },
        timers: [{ kind: 'set', name: 'tick', afterUs: env.params.tickUs }],
        send,
      };
    }
    if (input.kind === 'message')
      return { state: { ...s, got: [...s.got, `${input.msg.type}:${input.from}`] } };
    return { state: s };
  },
  durable: (s) => ({ durable: s.durable }),
  invariants: [],
  historyCheckers: [],
  metrics: [],
  summary: () => ({ text: '', tone: 'neutral' }),
  bugs: [],
  lesson: { summary: '', watch: [], tryThis: [] },
};

registerProtocol(probe);
