import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { MenuCommand } from '../shared/api';
import { menuTemplate } from './menu';

function labels(items: MenuItemConstructorOptions[]): string[] {
  return items.filter((i) => i.type !== 'separator').map((i) => i.label ?? `role:${i.role}`);
}

function submenu(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const found = items.find((i) => i.label?.replace('&', '') === label);
  return (found?.submenu ?? []) as MenuItemConstructorOptions[];
}

describe('the application menu', () => {
  const sent: MenuCommand[] = [];
  const template = menuTemplate({
    send: (c) => sent.push(c),
    openRecent: () => {},
    recent: [],
    isMac: false,
    isDev: false,
  });

  it('has File, Edit, View and Help', () => {
    expect(template.map((m) => m.label?.replace('&', ''))).toEqual(['File', 'Edit', 'View', 'Help']);
  });

  it('offers the usual File items', () => {
    expect(labels(submenu(template, 'File'))).toEqual([
      'New',
      'Open…',
      'Open Recent',
      'Save',
      'Save As…',
      'Import…',
      'Export…',
      'role:quit',
    ]);
  });

  it('routes commands to the renderer', () => {
    for (const item of submenu(template, 'File')) {
      (item.click as (() => void) | undefined)?.();
    }
    expect(sent).toEqual(['file.new', 'file.open', 'file.save', 'file.saveAs', 'file.import', 'file.export']);
  });

  it('has About and Keyboard Shortcuts under Help', () => {
    expect(labels(submenu(template, 'Help'))).toEqual(['Keyboard Shortcuts', 'About DSLab']);
  });

  it('puts About and Quit in the app menu on macOS and hides dev tools outside dev', () => {
    const mac = menuTemplate({
      send: () => {},
      openRecent: () => {},
      recent: ['/a.dslab.json'],
      isMac: true,
      isDev: false,
    });
    expect(mac[0]?.label).toBe('DSLab');
    expect(labels(mac[0]?.submenu as MenuItemConstructorOptions[])).toContain('About DSLab');
    expect(labels(submenu(mac, 'File'))).not.toContain('role:quit');
    expect(labels(submenu(mac, 'View'))).not.toContain('role:toggleDevTools');
    const recent = submenu(mac, 'File').find((i) => i.label === 'Open Recent');
    expect(labels(recent?.submenu as MenuItemConstructorOptions[])).toEqual(['/a.dslab.json']);
  });
});
