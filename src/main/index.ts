/**
 * The Electron main process: one window, the menu, the store and the API handlers.
 * Security follows Electron's checklist (see security.ts and docs/security.md).
 */
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  Menu,
  type MenuItemConstructorOptions,
  screen,
  session,
  shell,
} from 'electron';
import { type EventName, type EventPayload, eventChannel } from '../shared/api';
import { createApiHost } from './api/host';
import { Files } from './files';
import { registerIpc } from './ipc';
import { menuTemplate } from './menu';
import { electronNativeBinding } from './native';
import { denyAllPermissions, isAllowedNavigation, isExternalLinkAllowed } from './security';
import { quitOnStartupFailure, startupFailure, startWhenReady } from './startup';
import { openStore, STORE_FILE } from './store/database';
import { SettingsRepo } from './store/settings';
import { DEFAULT_SIZE, restoreBounds, type WindowBounds } from './window-state';

const isDev = !app.isPackaged && Boolean(process.env.ELECTRON_RENDERER_URL);
let mainWindow: BrowserWindow | null = null;
// Files the OS asked us to open before the window was ready (macOS open-file, argv).
const pendingOpen: string[] = process.argv
  .slice(app.isPackaged ? 1 : 2)
  .filter((a) => a.endsWith('.dslab.json'));
let openFileHandler: ((file: string) => void) | null = null;
app.on('open-file', (event, file) => {
  event.preventDefault();
  if (openFileHandler) openFileHandler(file);
  else pendingOpen.push(file);
});

if (process.env.DSLAB_DATA_DIR) app.setPath('userData', path.resolve(process.env.DSLAB_DATA_DIR));

// One DSLab at a time: a second launch focuses the first window instead.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    for (const file of argv.filter((a) => a.endsWith('.dslab.json'))) openFileHandler?.(file);
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  // Anything start() throws (a store that will not open, say) ends in a dialog and an exit.
  void startWhenReady(app.whenReady(), start, fatal);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

// Deny every webview and every new window app-wide, before any content loads.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

function appEntryUrl(): string {
  if (isDev && process.env.ELECTRON_RENDERER_URL) return process.env.ELECTRON_RENDERER_URL;
  return new URL(`file://${path.join(__dirname, '../renderer/index.html')}`).href;
}

/** Shows why DSLab cannot start, releases the single-instance lock and exits. */
function fatal(err: unknown): void {
  console.error(err);
  const storeFile = path.join(app.getPath('userData'), STORE_FILE);
  quitOnStartupFailure(
    {
      showErrorBox: (title, content) => dialog.showErrorBox(title, content),
      releaseSingleInstanceLock: () => app.releaseSingleInstanceLock(),
      exit: (code) => app.exit(code),
    },
    startupFailure(err, storeFile),
  );
}

function start(): void {
  // Before any page loads: the page may use no permission (camera, notifications, ...).
  denyAllPermissions(session.defaultSession);
  const dataDir = app.getPath('userData');
  let nativeBinding: string | undefined;
  if (!app.isPackaged) {
    const found = electronNativeBinding(app.getAppPath(), process.versions.modules);
    if ('error' in found) throw new Error(found.error);
    nativeBinding = found.path;
  }
  // A corrupt or newer store throws here; startWhenReady turns it into a dialog and an exit.
  const db = openStore(dataDir, nativeBinding ? { nativeBinding } : {});
  const settings = new SettingsRepo(db);
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    mainWindow?.webContents.send(eventChannel(event), payload);
  };
  const filter = [{ name: 'DSLab files', extensions: ['json'] }];
  const files = new Files(
    settings,
    {
      chooseOpen: async () => {
        const options: Electron.OpenDialogOptions = { filters: filter, properties: ['openFile'] };
        const r = mainWindow
          ? await dialog.showOpenDialog(mainWindow, options)
          : await dialog.showOpenDialog(options);
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      chooseSave: async (defaultName) => {
        const options: Electron.SaveDialogOptions = { defaultPath: defaultName, filters: filter };
        const r = mainWindow
          ? await dialog.showSaveDialog(mainWindow, options)
          : await dialog.showSaveDialog(options);
        return r.canceled ? null : (r.filePath ?? null);
      },
    },
    (recent) => {
      for (const f of recent.slice(0, 1)) app.addRecentDocument(f);
      buildMenu();
    },
  );
  const host = createApiHost({
    transport: 'electron',
    dataDir,
    db,
    version: app.getVersion(),
    electronVersion: process.versions.electron,
    emit,
    log: (msg) => console.error(msg),
    files,
  });
  // A file handed over by the OS or the menu goes to the renderer, which imports it.
  const openPath = (file: string) => {
    try {
      emit('app.openFile', files.read(file));
    } catch (err) {
      dialog.showErrorBox('DSLab could not open the file', err instanceof Error ? err.message : String(err));
    }
  };
  pendingOpen.forEach(openPath);
  pendingOpen.length = 0;
  openFileHandler = openPath;
  const dispatch = host.dispatch;
  const appUrl = appEntryUrl();

  registerIpc({
    dispatch,
    appUrl,
    ourWindowIds: () => BrowserWindow.getAllWindows().map((w) => w.id),
  });

  function buildMenu() {
    const template: MenuItemConstructorOptions[] = menuTemplate({
      send: (command) => emit('app.menu', { command }),
      openRecent: (file) => openPath(file),
      recent: files.recent(),
      isMac: process.platform === 'darwin',
      isDev,
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }
  buildMenu();

  const saved = restoreBounds(
    settings.getRaw('window.bounds'),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  mainWindow = new BrowserWindow({
    ...(saved ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : DEFAULT_SIZE),
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'DSLab',
    backgroundColor: '#11151c',
    // Electron's security checklist, written out here so scanners (electronegativity, in
    // tests/electronegativity.test.ts) read the values where the window is made.
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (saved?.maximized) mainWindow.maximize();
  mainWindow.once('ready-to-show', () => mainWindow?.show());

  const win = mainWindow;
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault();
  });
  const saveBounds = () => {
    if (win.isDestroyed() || win.isMinimized()) return;
    const b = win.getNormalBounds();
    const bounds: WindowBounds = { ...b, maximized: win.isMaximized() };
    settings.setRaw('window.bounds', bounds);
  };
  win.on('close', saveBounds);
  win.on('closed', () => {
    mainWindow = null;
  });
  app.on('before-quit', () => {
    host.close();
    try {
      db.close();
    } catch {
      // already closed
    }
  });

  if (isDev && process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(path.join(__dirname, '../renderer/index.html'));
}
