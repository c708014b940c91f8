/** How the Checkers tab shows a verdict: its colour state and its word. Pure. */
import type { Res } from '../../../shared/api';

type Verdict = Res<'sim.invariants'>[number];

/**
 * ok: holds; bad: broken; lesson: fails where the protocol does not promise it; unknown: not evaluated yet, or (a history checker that ran, with
 * atEvent set, but answered null) undecided, as when the linearizability search ran out of
 * budget on a key: not a failure of the run, and its message says which keys.
 */
export function verdictLook(v: Pick<Verdict, 'kind' | 'ok' | 'atEvent'> & { lesson?: string }): {
  state: 'ok' | 'bad' | 'lesson' | 'unknown';
  word: string;
} {
  if (v.ok === true) return { state: 'ok', word: 'holds' };
  // A check the protocol does not promise with these params fails as the lesson, not as a bug.
  if (v.ok === false && v.lesson !== undefined) return { state: 'lesson', word: 'fails: the lesson' };
  if (v.ok === false) return { state: 'bad', word: 'broken' };
  if (v.kind === 'history' && v.atEvent !== null) return { state: 'unknown', word: 'undecided' };
  return { state: 'unknown', word: 'not evaluated yet' };
}
