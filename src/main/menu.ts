/**
 * The application menu. File and View commands go to the renderer as `app.menu` events;
 * the renderer owns the document, so it decides what New, Open and Save mean.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../shared/api';

/** What the menu needs from the app. */
export interface MenuActions {
  /** Forward a command to the focused window's renderer. */
  send(command: MenuCommand): void;
  /** Open a recent file by path. */
  openRecent(file: string): void;
  /** Recent files, newest first. */
  recent: readonly string[];
  /** Whether this is macOS (app menu, Cmd vs Ctrl). */
  isMac: boolean;
  /** Whether dev tools are offered. */
  isDev: boolean;
}

export function menuTemplate(a: MenuActions): MenuItemConstructorOptions[] {
  const cmd = (command: MenuCommand) => () => a.send(command);
  const recentItems: MenuItemConstructorOptions[] =
    a.recent.length === 0
      ? [{ label: 'No Recent Files', enabled: false }]
      : a.recent.map((file) => ({ label: file, click: () => a.openRecent(file) }));
  const template: MenuItemConstructorOptions[] = [];
  if (a.isMac) {
    template.push({
      label: 'DSLab',
      submenu: [
        { label: 'About DSLab', click: cmd('help.about') },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: '&File',
      submenu: [
        { label: 'New', accelerator: 'CmdOrCtrl+N', click: cmd('file.new') },
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: cmd('file.open') },
        { label: 'Open Recent', submenu: recentItems },
        { type: 'separator' },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', click: cmd('file.save') },
        { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: cmd('file.saveAs') },
        { type: 'separator' },
        { label: 'Import…', accelerator: 'CmdOrCtrl+I', click: cmd('file.import') },
        { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: cmd('file.export') },
        ...(a.isMac ? [] : ([{ type: 'separator' }, { role: 'quit' }] as MenuItemConstructorOptions[])),
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'delete' },
        { type: 'separator' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&View',
      submenu: [
        { label: 'Toggle Dark Theme', accelerator: 'CmdOrCtrl+Shift+D', click: cmd('view.toggleTheme') },
        { label: 'Zoom to Fit', accelerator: 'CmdOrCtrl+0', click: cmd('view.zoomToFit') },
        { type: 'separator' },
        { role: 'zoomIn', label: 'Zoom In (Interface)' },
        { role: 'zoomOut', label: 'Zoom Out (Interface)' },
        { role: 'resetZoom', label: 'Actual Size (Interface)', accelerator: 'CmdOrCtrl+Shift+0' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(a.isDev
          ? ([
              { type: 'separator' },
              { role: 'reload' },
              { role: 'toggleDevTools' },
            ] as MenuItemConstructorOptions[])
          : []),
      ],
    },
    {
      label: '&Help',
      role: 'help',
      submenu: [
        { label: 'Keyboard Shortcuts', accelerator: 'CmdOrCtrl+/', click: cmd('help.shortcuts') },
        ...(a.isMac
          ? []
          : ([
              { type: 'separator' },
              { label: 'About DSLab', click: cmd('help.about') },
            ] as MenuItemConstructorOptions[])),
      ],
    },
  );
  return template;
}
