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

  it('pops events of the FIFO lane (pushLate) in the same (time, seq) order, across save/load', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('push' as const), t: fc.integer({ min: 0, max: 60 }) }),
            // Mostly later than the last lane event (a fixed delay from a clock that moves on),
            // sometimes earlier (the delay changed): such an event must still pop in order.
            fc.record({ op: fc.constant('late' as const), t: fc.integer({ min: -5, max: 20 }) }),
            fc.record({ op: fc.constant('pop' as const), t: fc.constant(0) }),
            fc.record({ op: fc.constant('reload' as const), t: fc.constant(0) }),
          ),
          { maxLength: 400 },
        ),
        (ops) => {
          const h = new EventHeap(4);
          const model: [number, number][] = [];
          let seq = 0;
          let clock = 0;
          for (const { op, t } of ops) {
            if (op === 'pop') {
              if (model.length === 0) {
                expect(h.peek()).toBe(-1);
                continue;
              }
              model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
              const want = model.shift()!;
              expect([h.time[h.peek()], h.seq[h.peek()]]).toEqual(want);
              const s = h.pop();
              expect([h.time[s], h.seq[s]]).toEqual(want);
              clock = Math.max(clock, want[0]);
              h.release(s);
            } else if (op === 'reload') {
              h.load(h.save());
            } else if (op === 'late') {
              const time = Math.max(0, clock + 10 + t);
              h.pushLate(time, seq, 0, 0, 0, 0, undefined);
              model.push([time, seq++]);
            } else {
              h.push(clock + t, seq, 0, 0, 0, 0, undefined);
              model.push([clock + t, seq++]);
            }
            expect(h.size).toBe(model.length);
          }
          // Drain: everything left comes out in order.
          model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          for (const want of model) {
            const s = h.pop();
            expect([h.time[s], h.seq[s]]).toEqual(want);
            h.release(s);
          }
          expect(h.peek()).toBe(-1);
        },
      ),
      { seed: 2, numRuns: 300 },
    );
  });
});
