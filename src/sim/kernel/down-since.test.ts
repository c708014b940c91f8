import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Fault, ScenarioSchema } from '../../shared/scenario/schema';
import { registerProtocol } from '../catalog';
import type { NodeView, Protocol } from '../protocol';
import { Simulation } from '../simulation';

/**
 * NodeView.downSinceUs (docs/kernel.md "Faults"): while a node is down, views, checks and
 * metrics read the true time it went down; while it is up they read undefined. A node's own
 * state cannot hold it (no handler runs at a crash), so before it views guessed the node's
 * last step. Snapshots carry it: a seek or a step back reads the same value as a straight run.
 */

const Params = z.object({});

interface State {
  ticks: number;
}

/** What the probe's view saw of each node: its id, up, downSinceUs and downsUs. */
type Seen = {
  id: string;
  up: boolean;
  downSinceUs: number | undefined;
  downsUs: { downUs: number; upUs: number | null }[];
}[];

const probe: Protocol<z.infer<typeof Params>, State, { type: string }> = {
  id: 'test-down-since',
  topic: 'test',
  title: 'downSinceUs probe',
  version: 1,
  roles: [{ id: 'node', label: 'Node', min: 1, max: null }],
  params: Params,
  defaultTopology: () => ({ nodes: [], links: [] }),
  init: () => ({ ticks: 0 }),
  on(ctx, s, input) {
    // A tick every 10 ms, so a crash at 105 ms comes 5 ms after the node's last step.
    if (input.kind === 'start' || input.kind === 'restart' || input.kind === 'timer') {
      if (input.kind === 'timer') s.ticks += 1;
      ctx.setTimer('tick', 10_000);
    }
  },
  durable: [],
  invariants: [],
  historyCheckers: [],
  metrics: [],
  views: [
    {
      id: 'down',
      title: 'Down',
      kind: 'timeline',
      read: (nodes: readonly NodeView<State>[]) => ({
        kind: 'timeline',
        caption: JSON.stringify(
          nodes.map((n) => ({ id: n.id, up: n.up, downSinceUs: n.downSinceUs, downsUs: n.downsUs })),
        ),
        rows: [],
        bars: [],
        markers: [],
      }),
    },
  ],
  summary: () => ({ text: '', tone: 'neutral' }),
  bugs: [],
  lesson: { summary: '', watch: [], tryThis: [] },
  speed: 1,
};
registerProtocol(probe);

function sim(faults: { atUs: number; fault: Fault }[]): Simulation {
  return new Simulation(
    ScenarioSchema.parse({
      schemaVersion: 1,
      name: 'downSinceUs probe',
      topic: 'test',
      protocol: probe.id,
      params: {},
      topology: {
        nodes: [
          { id: 'a', role: 'node', x: 0, y: 0 },
          { id: 'b', role: 'node', x: 100, y: 0 },
        ],
        links: [],
      },
      faults,
      seed: 1,
      limits: { maxTimeUs: 1_000_000 },
    }),
    { checkpointEvery: 16 },
  );
}

function seen(s: Simulation): Seen {
  const v = s.view('down');
  if (v === null || v.kind !== 'timeline') throw new Error('no view');
  return JSON.parse(v.caption ?? '[]') as Seen;
}

const at = (s: Simulation, id: string) => seen(s).find((n) => n.id === id)!;

const crashThenRestart: { atUs: number; fault: Fault }[] = [
  { atUs: 105_000, fault: { kind: 'crash', node: 'a' } },
  { atUs: 300_000, fault: { kind: 'restart', node: 'a' } },
  { atUs: 400_000, fault: { kind: 'crash', node: 'a' } },
];

describe('NodeView.downSinceUs and downsUs: when a node went down, in true time', () => {
  it('undefined while up, the crash time while crashed; downsUs keeps each time down', () => {
    const s = sim(crashThenRestart);
    s.runUntil(104_999);
    expect(at(s, 'a')).toEqual({ id: 'a', up: true, downsUs: [] });
    s.runUntil(200_000);
    // The crash's own time, not the node's last step (its tick at 100 ms).
    expect(at(s, 'a')).toEqual({
      id: 'a',
      up: false,
      downSinceUs: 105_000,
      downsUs: [{ downUs: 105_000, upUs: null }],
    });
    expect(at(s, 'b')).toEqual({ id: 'b', up: true, downsUs: [] });
    s.runUntil(350_000);
    expect(at(s, 'a')).toEqual({ id: 'a', up: true, downsUs: [{ downUs: 105_000, upUs: 300_000 }] });
    s.runUntil(500_000);
    expect(at(s, 'a')).toEqual({
      id: 'a',
      up: false,
      downSinceUs: 400_000,
      downsUs: [
        { downUs: 105_000, upUs: 300_000 },
        { downUs: 400_000, upUs: null },
      ],
    });
  });

  it('keeps the latest 32 times down of a node crashed and restarted over and over', () => {
    const faults: { atUs: number; fault: Fault }[] = [];
    for (let k = 0; k < 40; k++)
      faults.push(
        { atUs: 10_000 * k + 1_000, fault: { kind: 'crash', node: 'a' } },
        { atUs: 10_000 * k + 2_000, fault: { kind: 'restart', node: 'a' } },
      );
    const s = sim(faults);
    s.runUntil(500_000);
    const d = at(s, 'a').downsUs;
    expect(d).toHaveLength(32);
    expect(d[0]).toEqual({ downUs: 81_000, upUs: 82_000 });
    expect(d[31]).toEqual({ downUs: 391_000, upUs: 392_000 });
  });

  it('a second crash while down keeps the first time; a removed node reads its removal time', () => {
    const s = sim([
      { atUs: 105_000, fault: { kind: 'crash', node: 'a' } },
      { atUs: 150_000, fault: { kind: 'crash', node: 'a' } },
      { atUs: 170_000, fault: { kind: 'remove-node', node: 'a' } },
      { atUs: 205_000, fault: { kind: 'remove-node', node: 'b' } },
    ]);
    s.runUntil(500_000);
    expect(at(s, 'a').downSinceUs).toBe(105_000);
    expect(at(s, 'b').downSinceUs).toBe(205_000);
  });

  it('checkpoints carry it: seeking back and forth reads what a straight run reads', () => {
    const straight = sim(crashThenRestart);
    const marks: { event: number; seen: Seen }[] = [];
    while (!straight.done) {
      straight.step(7);
      marks.push({ event: straight.eventIndex, seen: seen(straight) });
    }
    const s = sim(crashThenRestart);
    s.runUntil(1_000_000);
    for (const m of [...marks].reverse()) {
      s.seek(m.event);
      expect(seen(s), `event ${m.event}`).toEqual(m.seen);
    }
  });
});
