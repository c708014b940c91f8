/**
 * A node's protocol state as an expandable tree (native <details>, so the keyboard works).
 * Keys whose value changed since the previously shown event are highlighted, and their
 * parents say that something inside changed.
 */
import { memo } from 'react';

/** Most children shown per level; the rest are summarised. */
const MAX_CHILDREN = 200;

/** Whether two JSON values differ (deep). */
function differs(a: unknown, b: unknown): boolean {
  if (a === b) return false;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return true;
  if (Array.isArray(a) !== Array.isArray(b)) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return true;
  for (const k of ka)
    if (differs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return true;
  return false;
}

function leaf(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  return String(v);
}

function summary(v: object): string {
  return Array.isArray(v) ? `[${v.length}]` : `{${Object.keys(v).length}}`;
}

interface Props {
  /** The key shown for this value (null at the root). */
  name: string | null;
  /** The value now. */
  value: unknown;
  /** The value at the previous event, or undefined when there is nothing to compare. */
  prev: unknown;
  /** Whether to compare at all (false on the first event shown). */
  compare: boolean;
  /** Depth, for the default open state. */
  depth: number;
}

function TreeNode({ name, value, prev, compare, depth }: Props) {
  const changed = compare && differs(value, prev);
  const key =
    name === null ? null : (
      <span className="jt-key">
        {name}
        <span className="jt-colon">: </span>
      </span>
    );
  if (typeof value !== 'object' || value === null) {
    return (
      <div className={`jt-row${changed ? ' is-changed' : ''}`} data-changed={changed || undefined}>
        {key}
        <span className={`jt-val jt-${value === null ? 'null' : typeof value}`}>{leaf(value)}</span>
        {changed && prev !== undefined && <span className="jt-was"> was {leaf(prev)}</span>}
      </div>
    );
  }
  const entries = Object.entries(value);
  const prevObj = typeof prev === 'object' && prev !== null ? (prev as Record<string, unknown>) : undefined;
  return (
    <details className="jt-branch" open={depth < 2}>
      <summary className={`jt-row${changed ? ' is-changed-inside' : ''}`}>
        {key}
        <span className="jt-summary">{summary(value)}</span>
      </summary>
      <div className="jt-children">
        {entries.slice(0, MAX_CHILDREN).map(([k, v]) => (
          <TreeNode
            key={k}
            name={k}
            value={v}
            prev={prevObj?.[k]}
            compare={compare && prevObj !== undefined}
            depth={depth + 1}
          />
        ))}
        {entries.length > MAX_CHILDREN && (
          <div className="jt-row muted">… {entries.length - MAX_CHILDREN} more</div>
        )}
      </div>
    </details>
  );
}

export const JsonTree = memo(function JsonTree({ value, prev }: { value: unknown; prev: unknown }) {
  if (value === null || value === undefined)
    return <p className="muted">No protocol state (a switch or a client).</p>;
  return (
    <div className="json-tree" data-testid="state-tree">
      <TreeNode name={null} value={value} prev={prev} compare={prev !== undefined} depth={0} />
    </div>
  );
});
