import { copyState } from './copy';

/**
 * Checkpoint copies of contract-v2 node states. A protocol changes its state in place, so a
 * checkpoint keeps a copy, made when the checkpoint is taken; restoring one copies it back.
 *
 * Most of a state is small and is copied whole. A protocol's logs (Protocol.logs: lists that
 * change only at their ends and whose entries never change once written, such as Raft's log)
 * grow with the run, and copying them at every checkpoint would cost time and memory in
 * proportion to the run's length. A log is archived in chunks of LOG_CHUNK entries instead: a
 * chunk that still holds the same entry objects as in the previous archive of that node is
 * shared with it (sameChunk), so a checkpoint costs a look at each chunk's ends and a copy of
 * the chunks that changed (usually the last one). The entries themselves are shared, frozen
 * the first time they are archived: a handler that changes a written entry then throws at
 * once instead of rewriting history.
 */

/** Entries per archived chunk of a log. */
export const LOG_CHUNK = 1024;

/** A log as a checkpoint holds it. */
interface ArchivedLog {
  readonly archivedLog: true;
  readonly length: number;
  readonly chunks: readonly (readonly unknown[])[];
}

/** A node state as a checkpoint holds it: the fields, logs archived in chunks. */
export type Archived = Readonly<Record<string, unknown>>;

function isArchivedLog(v: unknown): v is ArchivedLog {
  return typeof v === 'object' && v !== null && (v as ArchivedLog).archivedLog === true;
}

function freezeDeep(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  if (Array.isArray(v)) for (const x of v) freezeDeep(x);
  else for (const k in v as Record<string, unknown>) freezeDeep((v as Record<string, unknown>)[k]);
}

/**
 * When true, every archive compares every entry of a reused chunk too and throws if a log
 * changed anywhere but at its ends (the tests turn it on: vitest.setup.ts). Off, a full chunk
 * is compared by its first and last entries only, which is exact for a log as Protocol.logs
 * defines one and keeps a checkpoint's cost independent of the log's length.
 */
let verifyLogs = false;

/** Turns the full comparison of log chunks on or off (tests; see verifyLogs). */
export function setLogVerification(on: boolean): void {
  verifyLogs = on;
}

/**
 * Whether chunk `o` of the previous archive still holds entries from..to of `list`. A log
 * changes only at its ends (appended to, truncated, cut from the front) and a removed entry
 * never comes back in its middle, so a full chunk whose first and last entries are the same
 * objects is the same chunk; the last, partial chunk is compared entry by entry.
 */
function sameChunk(
  o: readonly unknown[] | undefined,
  list: readonly unknown[],
  from: number,
  to: number,
  field: string,
): boolean {
  if (o === undefined || o.length !== to - from) return false;
  if (o.length === LOG_CHUNK && !verifyLogs) return o[0] === list[from] && o[LOG_CHUNK - 1] === list[to - 1];
  for (let k = from; k < to; k++)
    if (o[k - from] !== list[k]) {
      if (o.length === LOG_CHUNK && o[0] === list[from] && o[LOG_CHUNK - 1] === list[to - 1])
        throw new Error(
          `state.${field} changed at entry ${k}, inside the log: a log (Protocol.logs) changes only at its ends`,
        );
      return false;
    }
  return true;
}

function archiveLog(list: readonly unknown[], prev: unknown, field: string): ArchivedLog {
  if (!Array.isArray(list)) throw new TypeError(`state.${field} is declared a log but is not a list`);
  const old = isArchivedLog(prev) ? prev.chunks : [];
  const chunks: (readonly unknown[])[] = [];
  for (let from = 0, c = 0; from < list.length; from += LOG_CHUNK, c++) {
    const to = Math.min(list.length, from + LOG_CHUNK);
    const o = old[c];
    if (sameChunk(o, list, from, to, field)) chunks.push(o!);
    else {
      const chunk = list.slice(from, to);
      for (const e of chunk) freezeDeep(e);
      chunks.push(Object.freeze(chunk));
    }
  }
  return { archivedLog: true, length: list.length, chunks };
}

/**
 * The checkpoint copy of a state. `prev` is the same node's previous archive (or undefined);
 * its log chunks are reused where nothing changed.
 */
export function archiveState(state: unknown, logs: readonly string[], prev: Archived | undefined): Archived {
  if (logs.length === 0 || state === null || typeof state !== 'object') return copyState(state) as Archived;
  const s = state as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in s) {
    const v = s[key];
    out[key] = logs.includes(key) ? archiveLog(v as unknown[], prev?.[key], key) : copyState(v);
  }
  return out;
}

/** A live state from an archive: fields copied, logs rebuilt as plain lists sharing the (frozen) entries. */
export function restoreState(a: Archived): unknown {
  if (a === null || typeof a !== 'object') return a;
  const out: Record<string, unknown> = {};
  for (const key in a) {
    const v = a[key];
    if (isArchivedLog(v)) {
      const list: unknown[] = new Array(v.length);
      let k = 0;
      for (const chunk of v.chunks) for (const e of chunk) list[k++] = e;
      out[key] = list;
    } else out[key] = copyState(v);
  }
  return out;
}

/** A copy of a live state for someone outside the kernel (the inspector): logs share their frozen entries. */
export function lookCopy(state: unknown, logs: readonly string[]): unknown {
  if (logs.length === 0 || state === null || typeof state !== 'object') return copyState(state);
  const s = state as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in s) {
    const v = s[key];
    if (logs.includes(key) && Array.isArray(v)) {
      for (const e of v) freezeDeep(e);
      out[key] = v.slice();
    } else out[key] = copyState(v);
  }
  return out;
}
