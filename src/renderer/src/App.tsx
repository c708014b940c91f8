/** The lab's frame: toolbar, palette, canvas, inspector, bottom panel, status bar. */
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { subscribe } from './api/client';
import { boot, runMenuCommand, THEME_CACHE_KEY, toggleTheme } from './app/actions';
import { pause, play, startRunFollower, step, stepBack } from './app/run';
import { BottomPanel } from './components/BottomPanel';
import { Canvas, FIT_OPTIONS } from './components/Canvas';
import { Dialogs } from './components/Dialogs';
import { Inspector } from './components/Inspector';
import { Palette } from './components/Palette';
import { StatusBar } from './components/StatusBar';
import { Toasts } from './components/Toasts';
import { Toolbar } from './components/Toolbar';
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

function Shell() {
  const { fitView } = useReactFlow();
  useThemeOnRoot();

  useEffect(() => {
    void boot();
    return startRunFollower();
  }, []);

  useEffect(() => {
    const fitAll = () => void fitView({ ...FIT_OPTIONS, duration: 200 });
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
      if (mod || e.altKey || inField(e.target) || ui.dialog) return;
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
        <Canvas />
        <BottomPanel />
      </main>
      <Inspector />
      <StatusBar />
      <Dialogs />
      <Toasts />
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
