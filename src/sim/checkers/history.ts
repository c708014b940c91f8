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
}

/** A history checker. */
export type HistoryChecker = (history: readonly KvOp[]) => HistoryVerdict;

const registry = new Map<string, HistoryChecker>();

/** Registers (or replaces) a history checker by id. */
export function registerHistoryChecker(id: string, check: HistoryChecker): void {
  registry.set(id, check);
}

/** The checker registered under id, if any. */
export function historyChecker(id: string): HistoryChecker | undefined {
  return registry.get(id);
}
