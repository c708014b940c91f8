import { beforeEach, describe, expect, it } from 'vitest';
import { type Fault, type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { selectCanUndo, useGraph } from '../stores/graph-store';
import { byTime, describeFault, inScript, type Names, withEntries } from './fault-script';

const names: Names = {
  node: (id) => ({ n1: 'alpha', n2: 'beta', sw: 'switch' })[id] ?? id,
  link: (id) =>
    id === 'l1' ? { text: 'alpha – switch', a: 'alpha', b: 'switch' } : { text: id, a: id, b: id },
};

const crash = (node: string): Fault => ({ kind: 'crash', node });

describe('fault descriptions', () => {
  it('name nodes and links by their display names, and say which way a one-way cut goes', () => {
    expect(describeFault(crash('n1'), names)).toBe('Crash alpha');
    expect(describeFault({ kind: 'partition', groups: [['n1'], ['n2', 'n3']] }, names)).toBe(
      'Partition {alpha} | {beta, n3}',
    );
    expect(describeFault({ kind: 'cut-link', link: 'l1', direction: 'both' }, names)).toBe(
      'Cut link alpha – switch',
    );
    expect(describeFault({ kind: 'cut-link', link: 'l1', direction: 'b-to-a' }, names)).toBe(
      'Cut link one way switch → alpha',
    );
    expect(describeFault({ kind: 'degrade-link', link: 'l1', lossRate: 0.2 }, names)).toBe(
      'Degrade link alpha – switch: loss 20%',
    );
    expect(
      describeFault(
        { kind: 'degrade-link', link: 'l1', latency: { kind: 'normal', meanUs: 30_000, stdUs: 12_500 } },
        names,
      ),
    ).toBe('Degrade link alpha – switch: mean latency 30 ms');
    expect(describeFault({ kind: 'clock-step', node: 'n2', deltaUs: 10_000 }, names)).toBe(
      "Step beta's clock +10.000 ms",
    );
    expect(describeFault({ kind: 'heal' }, names)).toBe('Heal all partitions and links');
  });
});

describe('script order', () => {
  it('lists by time, ties in script order, with each entry’s index in the document', () => {
    const script = [
      { atUs: 500, fault: crash('a') },
      { atUs: 100, fault: crash('b') },
      { atUs: 500, fault: crash('c') },
    ];
    expect(byTime(script).map((x) => x.index)).toEqual([1, 0, 2]);
  });

  it('adds after the entries at or before the time, and skips what is already there', () => {
    const script = [
      { atUs: 100, fault: crash('a') },
      { atUs: 300, fault: crash('b') },
    ];
    const out = withEntries(script, [
      { atUs: 100, fault: crash('c') },
      { atUs: 300, fault: crash('b') },
      { atUs: 50, fault: crash('d') },
    ]);
    expect(out.map((e) => `${e.atUs}:${(e.fault as { node: string }).node}`)).toEqual([
      '50:d',
      '100:a',
      '100:c',
      '300:b',
    ]);
    expect(inScript(out, { atUs: 100, fault: crash('c') })).toBe(true);
    expect(inScript(out, { atUs: 101, fault: crash('c') })).toBe(false);
  });
});

const scenario: Scenario = ScenarioSchema.parse({
  schemaVersion: 1,
  name: 'test',
  topic: 'basics',
  protocol: 'ping-pong',
  seed: 1,
  topology: {
    nodes: [
      { id: 'n1', name: 'n1', role: 'node', x: 0, y: 0 },
      { id: 'n2', name: 'n2', role: 'node', x: 200, y: 0 },
    ],
    links: [{ id: 'l1', a: 'n1', b: 'n2' }],
  },
  faults: [{ atUs: 1000, fault: { kind: 'pause', node: 'n2' } }],
});

describe('graph store fault script', () => {
  const g = () => useGraph.getState();
  beforeEach(() => g().loadScenario(scenario));

  it('adds and removes scripted faults as undoable edits that leave the topology alone', () => {
    const rev = g().topoRev;
    g().addScriptFaults([{ atUs: 500, fault: crash('n1') }]);
    expect(g().base!.faults.map((f) => f.atUs)).toEqual([500, 1000]);
    expect(selectCanUndo(g())).toBe(true);
    // Adding the same again changes nothing and records nothing.
    const history = g().history;
    g().addScriptFaults([{ atUs: 500, fault: crash('n1') }]);
    expect(g().history).toBe(history);
    g().removeScriptFault(1);
    expect(g().base!.faults).toEqual([{ atUs: 500, fault: crash('n1') }]);
    expect(g().undo()).toBe(true);
    expect(g().base!.faults).toHaveLength(2);
    expect(g().undo()).toBe(true);
    expect(g().base!.faults).toEqual(scenario.faults);
    expect(g().topoRev).toBe(rev);
  });

  it('an exercise that locks the faults refuses both', () => {
    g().setLocks(['faults']);
    g().addScriptFaults([{ atUs: 500, fault: crash('n1') }]);
    g().removeScriptFault(0);
    expect(g().base!.faults).toEqual(scenario.faults);
  });
});
