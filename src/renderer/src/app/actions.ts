/**
 * The renderer's effects: API calls and the store updates they lead to. Components call
 * these; stores stay plain state (CONVENTIONS.md: thin stores, effects at the edge).
 */
import type { MenuCommand } from '../../../shared/api';
import { call } from '../api/client';
import { useGraph } from '../stores/graph-store';
import { useSession } from '../stores/session-store';
import { resolveTheme, type ThemePref, useUi } from '../stores/ui-store';

/** Where the last shown theme is mirrored so the next load paints in it before the API answers. */
export const THEME_CACHE_KEY = 'dslab.theme';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reports a failed call as a toast; the lab keeps going. */
export function reportError(what: string, err: unknown): void {
  useUi.getState().toast(`${what}: ${errorText(err)}`, 'error');
}

/** Loads app info, settings and the catalog, then the protocol the person last used. */
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
    const last = protocols.find((p) => p.id === settings.lastProtocol);
    const inTopic = protocols.find((p) => p.topic === settings.lastTopic);
    const first = last ?? inTopic ?? protocols[0];
    if (first) await chooseProtocol(first.id, { persist: false });
  } catch (err) {
    session.setError(errorText(err));
  }
}

/** Switches to a protocol: loads its default topology and remembers the choice. */
export async function chooseProtocol(id: string, opts: { persist?: boolean } = {}): Promise<void> {
  const session = useSession.getState();
  const protocol = session.protocols.find((p) => p.id === id);
  if (!protocol) return;
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
 * Replaces the document with the chosen protocol's ready-to-run scenario: its default
 * topology, params (the protocol's defaults), workload and limits.
 */
export async function resetTopology(): Promise<void> {
  const id = useSession.getState().protocolId;
  if (!id) return;
  try {
    const scenario = await call('catalog.defaultScenario', { protocol: id });
    // A later choice may have landed while this one was in flight.
    if (useSession.getState().protocolId === id) useGraph.getState().loadScenario(scenario);
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

/** What the menu's commands do; zoomToFit needs the canvas, so the caller passes it. */
export function runMenuCommand(command: MenuCommand, fitView: () => void): void {
  const ui = useUi.getState();
  switch (command) {
    case 'file.new':
      void resetTopology();
      return;
    case 'file.open':
    case 'file.save':
    case 'file.saveAs':
    case 'file.import':
    case 'file.export':
      ui.toast('Saving and opening files arrive with the library.');
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
