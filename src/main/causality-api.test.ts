// sim.causality and sim.shiviz through the SimHost: the app's view of src/sim/analysis/causality.ts.
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../sim';
import { parseShiViz } from '../sim/analysis/causality';
import { SimHost } from './sim-host';

describe('sim.causality and sim.shiviz', () => {
  it('orders two rows of the run so far, with the chain, and refuses a row that is no event', async () => {
    const host = new SimHost({ emit: () => {} });
    const { status } = host.create(defaultScenario('logical-clocks'));
    await host.step(status.simId, 40);
    const rows = host.trace(status.simId, 0, 41, 10_000).rows;
    const send = rows.find((r) => r.kind === 'send')!;
    const deliver = rows.find((r) => r.kind === 'deliver' && r.sendId === send.sendId)!;
    const o = host.causality(status.simId, send.row, deliver.row);
    expect(o.relation).toBe('before');
    expect(o.chain).toEqual([
      expect.objectContaining({ from: send.node, to: deliver.node, sendRow: send.row }),
    ]);
    expect(host.causality(status.simId, deliver.row, send.row).relation).toBe('after');
    // Two starts: nothing joins them.
    const starts = rows.filter((r) => r.kind === 'start');
    expect(host.causality(status.simId, starts[0]!.row, starts[1]!.row).relation).toBe('concurrent');
    expect(() => host.causality(status.simId, 0, 99_999)).toThrow(/Row 99999 is not an event of a process/);
    const { text, events } = host.shiviz(status.simId);
    expect(parseShiViz(text)).toHaveLength(events);
    expect(events).toBe(rows.length);
  });
});
