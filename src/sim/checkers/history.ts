/**
 * End-of-run history checkers. A protocol names the checkers it wants (Protocol.historyCheckers);
 * the host registers implementations here. The linearizability checker
 * (checkers/linearizability.ts, written separately) is registered under 'linearizability' by
 * whoever imports it, for example:
 *   registerHistoryChecker('linearizability', (h) => checkLinearizable(h));
 * Keeping the registry separate lets the kernel run without that module.
 */

/**
 * One key-value operation as a client saw it. The shape is the linearizability checker's
 * KvOp (checkers/linearizability.ts), so a history passes to it unchanged.
 */
export interface KvOp {
  /** Operation id, unique in the run. */
  id: number;
  /** Client number (index of the client node in sorted id order). */
  client: number;
  /** get (a workload read) or put (a workload write). */
  kind: 'get' | 'put';
  /** The key. */
  key: string;
  /** put: the value written. */
  value?: string;
  /** get: the value read (null = missing); absent when the outcome is unknown. */
  output?: string | null;
  /** Virtual time of the invocation, microseconds. */
  callUs: number;
  /** Virtual time of the reply, or null when the outcome is unknown (timeout, crash, end of run). */
  returnUs: number | null;
}

/** What a history checker returns. */
export interface HistoryVerdict {
  /**
   * True when the history passes, false when it fails, null when the checker could not decide
   * (the linearizability search ran out of budget on some key): not a failure of the run.
   */
  ok: boolean | null;
  /** Explanation (required when not ok, and when undecided). */
  message?: string;
  /** When not ok: the ids of the operations that show it (the one that could not be placed first). */
  ops?: number[];
  /**
   * When not ok: the operations that show it, each with its part in one line (`offending`: an
   * operation the history cannot explain, e.g. a read of a value it could not have seen; the
   * others are what it is judged against). Hosts draw these on the space-time diagram.
   */
  notes?: { op: number; offending: boolean; why: string }[];
}

/** A history checker. */
export type HistoryChecker = (history: readonly KvOp[]) => HistoryVerdict;

/**
 * A history check under way, done a piece at a time so a host can serve other work between
 * pieces (the sim host does, in slices of a few milliseconds: docs/architecture.md).
 */
export interface HistoryCheckRun {
  /** Goes on for at most about `work` steps (the checker's unit); the verdict once decided, else null. */
  advance(work: number): HistoryVerdict | null;
  /** How far it got, in the checker's own unit (keys decided, for linearizability). */
  progress(): { done: number; total: number };
}

/** Starts a check of a history that runs a piece at a time. */
export type SteppedHistoryChecker = (history: readonly KvOp[]) => HistoryCheckRun;

const registry = new Map<string, { check: HistoryChecker; start: SteppedHistoryChecker }>();

/**
 * Registers (or replaces) a history checker by id. A checker that can work in pieces passes
 * `start` as well; one that cannot runs whole in its first piece.
 */
export function registerHistoryChecker(
  id: string,
  check: HistoryChecker,
  start?: SteppedHistoryChecker,
): void {
  registry.set(id, { check, start: start ?? ((history) => inOnePiece(check, history)) });
}

/** The checker registered under id, if any. */
export function historyChecker(id: string): HistoryChecker | undefined {
  return registry.get(id)?.check;
}

/** Starts the checker registered under id on a history, to run a piece at a time; undefined if none. */
export function startHistoryCheck(id: string, history: readonly KvOp[]): HistoryCheckRun | undefined {
  return registry.get(id)?.start(history);
}

function inOnePiece(check: HistoryChecker, history: readonly KvOp[]): HistoryCheckRun {
  let verdict: HistoryVerdict | null = null;
  return {
    advance: () => {
      verdict ??= check(history);
      return verdict;
    },
    progress: () => ({ done: verdict === null ? 0 : 1, total: 1 }),
  };
}
