/** The lab's frame: toolbar, palette, canvas, inspector, bottom panel, status bar. */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { subscribe } from './api/client';
import { boot, runMenuCommand, saveOnce, THEME_CACHE_KEY, toggleTheme } from './app/actions';
import { chooseAndImport, importBrowserFile, registerFileInput, startDropImport } from './app/files';
import { importText, promptSaveAs, startDocFollower } from './app/library';
import { pause, play, startRunFollower, step, stepBack } from './app/run';
import { BOTTOM_PANEL_ID, BottomPanel } from './components/BottomPanel';
import { Canvas, useFitGraph } from './components/Canvas';
import { Dialogs } from './components/Dialogs';
import { Inspector } from './components/Inspector';
import { Palette } from './components/Palette';
import { Splitter } from './components/Splitter';
import { StatusBar } from './components/StatusBar';
import { Timeline } from './components/Timeline';
import { Toasts } from './components/Toasts';
import { Toolbar } from './components/Toolbar';
import { Welcome } from './components/Welcome';
import { useLibrary } from './stores/library-store';
import { useRun } from './stores/run-store';
import { useSelection } from './stores/selection-store';
import { selectTheme, useUi } from './stores/ui-store';

/** Whether a key press is meant for a text field rather than for the lab. */
function inField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}

/** Shows the chosen theme on :root and follows the OS when the choice is 'system'. */
function useThemeOnRoot(): void {
  const theme = useUi(selectTheme);
  const setSystemDark = useUi((s) => s.setSystemDark);
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    setSystemDark(mq.matches);
    const onChange = (e: MediaQueryListEvent) => setSystemDark(e.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [setSystemDark]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
    try {
      localStorage.setItem(THEME_CACHE_KEY, theme);
    } catch {
      // Storage may be off; the theme still comes from settings on the next load.
    }
  }, [theme]);
}

/** The window title names the open document, with a dot while it has unsaved changes. */
function useDocumentTitle(): void {
  const name = useLibrary((s) => s.doc?.name);
  const dirty = useLibrary((s) => s.dirty);
  useEffect(() => {
    document.title = name ? `${dirty ? '● ' : ''}${name} — DSLab` : 'DSLab';
  }, [name, dirty]);
}

/** Shown while a file is dragged over the window. */
function DropOverlay() {
  const dropping = useLibrary((s) => s.dropping);
  if (!dropping) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-card">Drop to import</div>
    </div>
  );
}

/** The browser's Import: a hidden file input that app/files.ts clicks. */
function ImportInput() {
  return (
    <input
      ref={registerFileInput}
      type="file"
      accept=".json,.dslab.json,application/json"
      className="sr-only"
      tabIndex={-1}
      aria-hidden="true"
      data-testid="import-input"
      onChange={(e) => {
        const file = e.target.files?.[0];
        if (file) void importBrowserFile(file);
      }}
    />
  );
}

function Shell() {
  const fitView = useFitGraph();
  useThemeOnRoot();
  useDocumentTitle();

  useEffect(() => {
    void boot();
    const offRun = startRunFollower();
    const offDoc = startDocFollower();
    const offDrop = startDropImport();
    // Desktop: a file from Open Recent, the OS or a second launch is imported and opened.
    const offFile = subscribe('app.openFile', ({ name, text }) => void importText(name, text));
    return () => {
      offRun();
      offDoc();
      offDrop();
      offFile();
    };
  }, []);

  useEffect(() => {
    const fitAll = () => void fitView({ duration: 200 });
    const off = subscribe('app.menu', ({ command }) => runMenuCommand(command, fitAll));
    const onKeyDown = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const ui = useUi.getState();
      if (mod && !e.altKey && (e.key === '/' || e.code === 'Slash')) {
        // Open only (Esc closes): Electron's menu accelerator may deliver the same press too.
        e.preventDefault();
        ui.openDialog('shortcuts');
        return;
      }
      if (mod && e.shiftKey && e.code === 'KeyD') {
        e.preventDefault();
        toggleTheme();
        return;
      }
      if (mod && !e.altKey && e.code === 'KeyS') {
        // Save / Save as work from text fields too, as in any editor.
        e.preventDefault();
        if (useLibrary.getState().dialog) return;
        if (e.shiftKey) promptSaveAs();
        else void saveOnce();
        return;
      }
      if (mod && !e.altKey && !e.shiftKey && e.code === 'KeyO') {
        e.preventDefault();
        void chooseAndImport();
        return;
      }
      if (mod || e.altKey || inField(e.target) || ui.dialog || useLibrary.getState().dialog) return;
      const onControl = e.target instanceof HTMLElement && /^(BUTTON|A|SUMMARY)$/.test(e.target.tagName);
      if (e.key === ' ' && !onControl) {
        // Space plays and pauses, except where it presses a button.
        e.preventDefault();
        void (useRun.getState().status?.playing ? pause() : play());
      } else if (e.key === '.') {
        e.preventDefault();
        void step();
      } else if (e.key === ',') {
        e.preventDefault();
        void stepBack();
      } else if (e.key === 'f' || e.key === 'F') {
        e.preventDefault();
        fitAll();
      } else if (e.key === 'F2') {
        // Rename the one selected node in place.
        const { nodeIds } = useSelection.getState();
        if (nodeIds.length === 1 && nodeIds[0]) {
          e.preventDefault();
          ui.setRenaming(nodeIds[0]);
        }
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => {
      off();
      window.removeEventListener('keydown', onKeyDown);
    };
  }, [fitView]);

  return (
    <div className="app">
      <Toolbar />
      <Palette />
      <main className="workspace">
        <Welcome />
        <Canvas />
        <Splitter panelId={BOTTOM_PANEL_ID} />
        <Timeline />
        <BottomPanel />
      </main>
      <Inspector />
      <StatusBar />
      <Dialogs />
      <Toasts />
      <DropOverlay />
      <ImportInput />
    </div>
  );
}

export function App() {
  return (
    <ReactFlowProvider>
      <Shell />
    </ReactFlowProvider>
  );
}
