/**
 * Registers the built-in history checkers. Imported for its effect by src/sim/index.ts, so
 * a host that imports the sim gets them; the kernel itself does not depend on them.
 */
import { type HistoryVerdict, registerHistoryChecker } from './history';
import { checkLinearizable, type LinResult, startLinearizabilityCheck } from './linearizability';

/** The linearizability checker's answer as a verdict: held, broken, or undecided (null). */
export function linearizabilityVerdict(r: LinResult): HistoryVerdict {
  if (r.ok) return { ok: true, message: `linearizable (${r.keysChecked} keys)` };
  // Undecided: the message names the keys that ran out and how many were proven linearizable.
  if (r.exhausted) return { ok: null, message: `undecided: ${r.failure?.message ?? ''}` };
  return {
    ok: false,
    message: r.failure?.message ?? 'not linearizable',
    ops: r.failure?.ops ?? [],
    notes: r.failure?.notes ?? [],
  };
}

registerHistoryChecker(
  'linearizability',
  (history) => linearizabilityVerdict(checkLinearizable(history)),
  (history) => {
    const check = startLinearizabilityCheck(history);
    return {
      advance: (work) => {
        const r = check.advance(work);
        return r === null ? null : linearizabilityVerdict(r);
      },
      progress: () => check.progress(),
    };
  },
);
