/** The Keyboard shortcuts and About DSLab dialogs, and the library's questions and problem lists. */
import { useEffect, useRef, useState } from 'react';
import { type LibraryDialog, useLibrary } from '../stores/library-store';
import { useSession } from '../stores/session-store';
import { useUi } from '../stores/ui-store';
import { Modal } from './Modal';

const mod = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

/** Shortcuts that work in the page, then the desktop menu's. */
export const SHORTCUTS: { keys: string[]; what: string; where?: string }[] = [
  { keys: [mod, '/'], what: 'Show keyboard shortcuts' },
  { keys: [mod, 'Shift', 'D'], what: 'Toggle light / dark theme' },
  { keys: ['Space'], what: 'Play / pause the run' },
  { keys: ['.'], what: 'Step one event' },
  { keys: [','], what: 'Step back one event' },
  { keys: ['Shift', 'F10'], what: 'On a node or link: its fault menu (also the context-menu key)' },
  { keys: ['Right-click'], what: 'On a node or link: crash, pause, cut, degrade, heal…' },
  { keys: ['F'], what: 'Fit the topology in view' },
  { keys: ['Delete'], what: 'Remove the selected nodes and links' },
  { keys: ['Enter'], what: 'On a palette part: add it at the canvas centre' },
  { keys: ['Double-click'], what: 'On a node: rename it in place' },
  { keys: ['F2'], what: 'Rename the selected node in place' },
  { keys: ['Shift', 'Drag'], what: 'Select several nodes with a box' },
  { keys: [mod, 'Click'], what: 'Add a node or link to the selection' },
  { keys: ['Arrow keys'], what: 'Move the focused node' },
  { keys: ['Esc'], what: 'Close a dialog, cancel a rename' },
  { keys: [mod, 'S'], what: 'Save the open scenario or exercise to the library' },
  { keys: [mod, 'Shift', 'S'], what: 'Save as a new item' },
  { keys: [mod, 'O'], what: 'Open (import) a .dslab.json file' },
  { keys: ['Drop a file'], what: 'Import a .dslab.json file dropped on the window' },
  { keys: [mod, 'N'], what: 'New: the default topology', where: 'desktop menu' },
  { keys: [mod, '0'], what: 'Zoom to fit', where: 'desktop menu' },
];

function Shortcuts() {
  return (
    <table className="shortcuts">
      <caption className="sr-only">Keyboard and mouse shortcuts</caption>
      <thead className="sr-only">
        <tr>
          <th scope="col">Keys</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {SHORTCUTS.map((s) => (
          <tr key={s.what}>
            <td className="keys">
              {s.keys.map((k, i) => (
                <span key={k}>
                  {i > 0 && <span className="plus">+</span>}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </td>
            <td>
              {s.what}
              {s.where && <span className="muted"> ({s.where})</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function About() {
  const info = useSession((s) => s.info);
  if (!info) return <p className="muted">Connecting to the lab host…</p>;
  const rows: [string, string][] = [
    ['Version', info.version],
    ['Transport', info.transport === 'electron' ? 'Electron window (IPC)' : 'Browser (WebSocket, web mode)'],
    ['Node.js', info.nodeVersion],
    ['Electron', info.electronVersion ?? '—'],
    ['SQLite', info.sqliteVersion],
    ['Store schema', String(info.storeVersion)],
    ['Data folder', info.dataDir],
  ];
  return (
    <>
      <p className="about-lede">
        A desktop lab for learning distributed systems: build a cluster, run it deterministically, break it,
        and watch the protocol cope.
      </p>
      <dl className="kv about-kv">
        {rows.map(([k, v]) => (
          <div className="kv-row" key={k}>
            <dt>{k}</dt>
            <dd>
              <code>{v}</code>
            </dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/** Closes a name dialog without a name: its `cancel` hears of it first. */
function cancelName(dialog: Extract<LibraryDialog, { kind: 'name' }>): void {
  dialog.cancel?.();
  useLibrary.getState().set({ dialog: null });
}

function NameForm({ dialog }: { dialog: Extract<LibraryDialog, { kind: 'name' }> }) {
  const [value, setValue] = useState(dialog.initial);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  return (
    <form
      className="lib-dialog-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) void dialog.run(value);
      }}
    >
      {dialog.lede && <p className="lib-dialog-body">{dialog.lede}</p>}
      <label className="field">
        <span className="field-label">Name</span>
        <input
          ref={ref}
          className="input"
          value={value}
          maxLength={200}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <div className="lib-dialog-buttons">
        <button type="submit" className="btn lib-primary" disabled={!value.trim()}>
          {dialog.confirm}
        </button>
        <button type="button" className="btn" onClick={() => cancelName(dialog)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The library's dialogs: a question with buttons, the problems of a refused file, a name. */
function LibraryDialogView({ dialog }: { dialog: LibraryDialog }) {
  const close = () => {
    // Esc or the close button: the last button of a question is its "Cancel"/"Discard".
    if (dialog.kind === 'ask') void dialog.buttons[dialog.buttons.length - 1]?.run();
    else if (dialog.kind === 'name') cancelName(dialog);
    else useLibrary.getState().set({ dialog: null });
  };
  return (
    <Modal label={dialog.title} onClose={close}>
      {dialog.kind === 'ask' && (
        <>
          <p className="lib-dialog-body">{dialog.body}</p>
          <div className="lib-dialog-buttons">
            {dialog.buttons.map((b) => (
              <button
                key={b.label}
                type="button"
                className={`btn${b.tone === 'primary' ? ' lib-primary' : b.tone === 'danger' ? ' lib-danger' : ''}`}
                onClick={() => void b.run()}
              >
                {b.label}
              </button>
            ))}
          </div>
        </>
      )}
      {dialog.kind === 'problems' && (
        <>
          <p className="lib-dialog-body">{dialog.lede}</p>
          <ul className="lib-problems" aria-label="Problems">
            {dialog.lines.map((l) => (
              <li key={l}>
                <code>{l}</code>
              </li>
            ))}
          </ul>
          <div className="lib-dialog-buttons">
            <button type="button" className="btn lib-primary" onClick={close}>
              OK
            </button>
          </div>
        </>
      )}
      {dialog.kind === 'name' && <NameForm dialog={dialog} />}
    </Modal>
  );
}

/** The lab could not start (web mode: no server, or a link without the right token): why, and what to do. */
function BootProblem({ error }: { error: string }) {
  const [open, setOpen] = useState(true);
  if (!open) return null;
  return (
    <Modal label="DSLab cannot open" onClose={() => setOpen(false)}>
      {error.split('\n').map((line) => (
        <p key={line} className="lib-dialog-body">
          {line}
        </p>
      ))}
      <div className="lib-dialog-buttons">
        <button type="button" className="btn lib-primary" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    </Modal>
  );
}

export function Dialogs() {
  const dialog = useUi((s) => s.dialog);
  const close = useUi((s) => s.closeDialog);
  const libDialog = useLibrary((s) => s.dialog);
  const bootError = useSession((s) => (s.info ? null : s.error));
  if (bootError) return <BootProblem key={bootError} error={bootError} />;
  // A library question (recover, conflict, unsaved changes) comes before the help dialogs.
  if (libDialog) return <LibraryDialogView key={libDialog.title} dialog={libDialog} />;
  if (dialog === 'shortcuts')
    return (
      <Modal label="Keyboard shortcuts" onClose={close}>
        <Shortcuts />
      </Modal>
    );
  if (dialog === 'about')
    return (
      <Modal label="About DSLab" onClose={close}>
        <About />
      </Modal>
    );
  return null;
}
