/**
 * The renderer's effects: API calls and the store updates they lead to. Components call
 * these; stores stay plain state (thin stores, effects at the edge: docs/architecture.md).
 */
import type { MenuCommand } from '../../../shared/api';
import { call } from '../api/client';
import { useLibrary } from '../stores/library-store';
import { useSession } from '../stores/session-store';
import { resolveTheme, type ThemePref, useUi } from '../stores/ui-store';
import { chooseAndImport, exportOpenDoc } from './files';
import { applyLayoutSettings } from './layout';
import { leaveDoc, newFromScenario, promptSaveAs, restoreSession, save } from './library';
import { loadSpeeds } from './pace';
import { errorText, reportError } from './report';

/** Where the last shown theme is mirrored so the next load paints in it before the API answers. */
export const THEME_CACHE_KEY = 'dslab.theme';

/**
 * Loads app info, settings and the catalog, then goes back to where the person was: a
 * recovered autosave, the item opened last, the protocol chosen last, or (first run) the
 * welcome view (app/library.ts restoreSession).
 */
export async function boot(): Promise<void> {
  const session = useSession.getState();
  try {
    const [info, settings, protocols] = await Promise.all([
      call('app.info', {}),
      call('settings.get', {}),
      call('catalog.list', {}),
    ]);
    session.setInfo(info);
    session.setProtocols(protocols);
    useUi.getState().setThemePref(settings.theme);
    applyLayoutSettings(settings);
    loadSpeeds(settings);
    await restoreSession(settings, protocols);
  } catch (err) {
    session.setError(errorText(err));
  }
}

/**
 * Switches to a protocol: a new, unsaved document with its default scenario (asking first
 * about unsaved changes to the open one), and remembers the choice.
 */
export async function chooseProtocol(id: string, opts: { persist?: boolean } = {}): Promise<void> {
  const session = useSession.getState();
  const protocol = session.protocols.find((p) => p.id === id);
  if (!protocol) return;
  if (!(await leaveDoc())) return;
  session.setProtocolId(id);
  await resetTopology();
  if (opts.persist !== false) {
    call('settings.set', { lastTopic: protocol.topic, lastProtocol: protocol.id }).catch((err) =>
      reportError('Could not save the protocol choice', err),
    );
  }
}

/** Switches topic: picks the topic's first protocol. */
export async function chooseTopic(topic: string): Promise<void> {
  const first = useSession.getState().protocols.find((p) => p.topic === topic);
  if (first) await chooseProtocol(first.id);
}

/**
 * Replaces the document with a new, unsaved one: the chosen protocol's ready-to-run
 * scenario (its default topology, params, workload and limits).
 */
export async function resetTopology(): Promise<void> {
  const id = useSession.getState().protocolId;
  if (!id) return;
  try {
    const scenario = await call('catalog.defaultScenario', { protocol: id });
    // A later choice may have landed while this one was in flight.
    if (useSession.getState().protocolId === id) newFromScenario(scenario);
  } catch (err) {
    reportError('Could not load the default scenario', err);
  }
}

/** Applies a theme choice now and saves it. */
export function setTheme(pref: ThemePref): void {
  useUi.getState().setThemePref(pref);
  call('settings.set', { theme: pref }).catch((err) => reportError('Could not save the theme', err));
}

let lastToggleMs = -Infinity;

/** Flips between light and dark (from 'system' too: the opposite of what shows now). */
export function toggleTheme(): void {
  // Electron's menu accelerator and the page's own shortcut may both fire for one key press.
  const now = performance.now();
  if (now - lastToggleMs < 200) return;
  lastToggleMs = now;
  const { themePref, systemDark } = useUi.getState();
  setTheme(resolveTheme(themePref, systemDark) === 'dark' ? 'light' : 'dark');
}

/** File › New: the welcome view when nothing is open, else a new document of the same protocol. */
export async function newDocument(): Promise<void> {
  if (!useLibrary.getState().doc || !useSession.getState().protocolId) {
    useLibrary.getState().set({ welcome: true });
    return;
  }
  if (!(await leaveDoc())) return;
  await resetTopology();
}

let lastSaveMs = -Infinity;

/** Save, once per key press (the desktop menu's accelerator and the page may both see Ctrl+S). */
export function saveOnce(): Promise<boolean> {
  const now = performance.now();
  if (now - lastSaveMs < 300) return Promise.resolve(false);
  lastSaveMs = now;
  return save();
}

/** What the menu's commands do; zoomToFit needs the canvas, so the caller passes it. */
export function runMenuCommand(command: MenuCommand, fitView: () => void): void {
  const ui = useUi.getState();
  switch (command) {
    case 'file.new':
      void newDocument();
      return;
    case 'file.open':
    case 'file.import':
      void chooseAndImport();
      return;
    case 'file.save':
      void saveOnce();
      return;
    case 'file.saveAs':
      promptSaveAs();
      return;
    case 'file.export':
      void exportOpenDoc();
      return;
    case 'view.toggleTheme':
      toggleTheme();
      return;
    case 'view.zoomToFit':
      fitView();
      return;
    case 'help.shortcuts':
      ui.openDialog('shortcuts');
      return;
    case 'help.about':
      ui.openDialog('about');
      return;
  }
}
