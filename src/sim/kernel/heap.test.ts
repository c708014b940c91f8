import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap } from './heap';

describe('EventHeap', () => {
  it('pops in (time, seq) order under random pushes and pops, across save/load', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1), fc.constant(-2)), {
          maxLength: 300,
        }),
        (ops) => {
          const h = new EventHeap(4);
          const model: [number, number][] = [];
          let seq = 0;
          for (const op of ops) {
            if (op === -1) {
              if (model.length === 0) continue;
              model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
              const want = model.shift()!;
              const s = h.pop();
              expect([h.time[s], h.seq[s]]).toEqual(want);
              h.release(s);
            } else if (op === -2) {
              h.load(h.save());
            } else {
              h.push(op, seq, 0, 0, 0, 0, undefined);
              model.push([op, seq++]);
            }
          }
          expect(h.size).toBe(model.length);
        },
      ),
      { seed: 1, numRuns: 200 },
    );
  });
});
