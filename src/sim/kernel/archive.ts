import { copyState } from './copy';

/**
 * Checkpoint copies of contract-v2 node states. A protocol changes its state in place, so a
 * checkpoint keeps a copy, made when the checkpoint is taken; restoring one copies it back.
 *
 * Most of a state is small and is copied whole. A protocol's logs (Protocol.logs: lists whose
 * entries are never changed once written, such as Raft's log) grow with the run, and copying
 * them at every checkpoint would cost time and memory in proportion to the run's length. A
 * log is archived in chunks of LOG_CHUNK entries instead: a chunk whose entries are the same
 * objects as in the previous archive of that node is shared with it, so a checkpoint costs a
 * scan of references and a copy of the chunks that changed (usually the last one). The
 * entries themselves are shared, frozen the first time they are archived: a handler that
 * changes a written entry then throws at once instead of rewriting history.
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

function archiveLog(list: readonly unknown[], prev: unknown, field: string): ArchivedLog {
  if (!Array.isArray(list)) throw new TypeError(`state.${field} is declared a log but is not a list`);
  const old = isArchivedLog(prev) ? prev.chunks : [];
  const chunks: (readonly unknown[])[] = [];
  for (let from = 0, c = 0; from < list.length; from += LOG_CHUNK, c++) {
    const to = Math.min(list.length, from + LOG_CHUNK);
    const o = old[c];
    let same = o !== undefined && o.length === to - from;
    for (let k = from; same && k < to; k++) same = o![k - from] === list[k];
    if (same) chunks.push(o!);
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
