/** The bottom status line: where the lab runs, the data folder, graph counts, theme. */
import { useId } from 'react';
import { setTheme } from '../app/actions';
import { formatCount, formatSpeed } from '../run/format';
import { useGraph } from '../stores/graph-store';
import { useLibrary } from '../stores/library-store';
import { usePlayback } from '../stores/playback-store';
import { useRun } from '../stores/run-store';
import { useSession } from '../stores/session-store';
import { type ThemePref, useUi } from '../stores/ui-store';

/** One line about the run: none yet, playing, paused, or why it ended. */
function RunState() {
  const status = useRun((s) => s.status);
  const speedX = usePlayback((s) => s.speedX);
  let text = 'no run';
  let tone = '';
  if (status?.violation) {
    text = `stopped: ${status.violation.invariant} broken at event ${formatCount(status.violation.eventIndex)}`;
    tone = ' is-bad';
  } else if (status?.stopReason === 'memory-budget') {
    text = 'stopped: memory budget';
    tone = ' is-bad';
  } else if (status?.done) text = `ended${status.stopReason ? `: ${status.stopReason}` : ''}`;
  else if (status?.playing) {
    text = `playing at ${formatSpeed(speedX)}`;
    tone = ' is-live';
  } else if (status) text = `paused · ${formatCount(status.queued)} queued`;
  return (
    <span className={`status-item status-run${tone}`} data-testid="run-state" title={status?.stopMessage}>
      Run: {text}
    </span>
  );
}

/** The open document: its name, kind and a dot while it has unsaved changes. */
function DocState() {
  const doc = useLibrary((s) => s.doc);
  const dirty = useLibrary((s) => s.dirty);
  if (!doc) return null;
  const where = doc.itemId ? (doc.builtin ? 'built-in' : 'library') : 'not saved yet';
  const saves =
    doc.itemId && doc.builtin ? 'Ctrl+S saves a copy (built-ins stay as shipped)' : 'Ctrl+S saves';
  return (
    <span
      className="status-item status-doc"
      data-testid="doc-state"
      title={dirty ? `Unsaved changes: ${saves}` : doc.itemId ? 'Saved' : 'Not saved yet: Ctrl+S saves'}
    >
      {dirty && <span className="status-dirty" aria-hidden="true" />}
      <span className="status-doc-name">{doc.name}</span>
      {dirty && <span className="sr-only"> (unsaved changes)</span>}
      <span className="status-dim">{` · ${doc.kind} · ${where}`}</span>
    </span>
  );
}

export function StatusBar() {
  const info = useSession((s) => s.info);
  const error = useSession((s) => s.error);
  const nodeCount = useGraph((s) => s.nodes.length);
  const linkCount = useGraph((s) => s.edges.length);
  const seed = usePlayback((s) => s.seed);
  const themePref = useUi((s) => s.themePref);
  const themeId = useId();
  return (
    <footer className="statusbar">
      {error ? (
        <span className="status-error" role="alert" title={error}>
          {error.split('\n')[0]}
        </span>
      ) : info ? (
        <span className="status-item" data-testid="app-info" title={info.dataDir}>
          <span className={`status-dot is-${info.transport}`} aria-hidden="true" />
          {`${info.name} ${info.version} over ${info.transport}`}
          <span className="status-dim">{` · data: ${info.dataDir}`}</span>
        </span>
      ) : (
        <span className="status-item">Connecting…</span>
      )}
      <DocState />
      <span className="status-spacer" />
      <span className="status-item">
        {nodeCount} {nodeCount === 1 ? 'node' : 'nodes'} · {linkCount} {linkCount === 1 ? 'link' : 'links'}
      </span>
      <span className="status-item">seed {seed}</span>
      <RunState />
      <label className="status-item status-theme" htmlFor={themeId}>
        Theme
        <select
          id={themeId}
          className="status-select"
          value={themePref}
          onChange={(e) => setTheme(e.target.value as ThemePref)}
        >
          <option value="system">System</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
    </footer>
  );
}
