import { registerHistoryChecker } from './history';
import { checkLinearizable } from './linearizability';

/**
 * Registers the built-in history checkers. Imported for its effect by src/sim/index.ts, so
 * a host that imports the sim gets them; the kernel itself does not depend on them.
 */
registerHistoryChecker('linearizability', (history) => {
  const r = checkLinearizable(history);
  if (r.ok) return { ok: true, message: `linearizable (${r.keysChecked} keys)` };
  if (r.exhausted) return { ok: false, message: `search budget exhausted: verdict unknown` };
  return { ok: false, message: r.failure?.message ?? 'not linearizable', ops: r.failure?.ops ?? [] };
});
