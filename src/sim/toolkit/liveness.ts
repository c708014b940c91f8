import type { Liveness } from '../protocol';

/** Microseconds as a short human figure ("2.5 s", "300 ms"). */
function span(us: number): string {
  return us >= 1e6 ? `${+(us / 1e6).toFixed(3)} s` : `${+(us / 1e3).toFixed(1)} ms`;
}

/**
 * "After the faults stop, every client operation is answered": an operation invoked once
 * `withinUs` has passed since the last fault is answered (done or failed, by the protocol)
 * before its client gives up, and never waits longer than `withinUs`. The first liveness
 * property of every key-value protocol: a cluster that is whole again must serve its clients.
 */
export function clientOpsAnswered<S, P>(withinUs: (params: P) => number): Liveness<S, P> {
  return {
    id: 'client-ops-answered',
    title: 'After the faults stop, every client operation is answered',
    withinUs,
    check(view, params) {
      const bound = withinUs(params);
      const from = view.quietSinceUs + bound;
      for (const op of view.unanswered) {
        if (op.invokedUs < from) continue;
        if (op.gaveUpUs !== null)
          return `operation #${op.id} from ${op.client}, invoked ${span(op.invokedUs - view.quietSinceUs)} after the last fault, got no answer before its client gave up`;
        if (view.nowUs - op.invokedUs > bound)
          return `operation #${op.id} from ${op.client} has waited ${span(view.nowUs - op.invokedUs)} for an answer, ${span(op.invokedUs - view.quietSinceUs)} after the last fault`;
      }
      return null;
    },
  };
}
