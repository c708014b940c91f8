/**
 * Registers one ipcMain handler per API method, straight from the contract table. A call
 * from anything but the main frame of our own window, showing our page, is refused; every
 * payload goes through the shared dispatcher, which validates it with zod.
 */
import { BrowserWindow, type IpcMainInvokeEvent, ipcMain } from 'electron';
import { methodChannel, methodNames } from '../shared/api';
import type { Dispatch } from './api/dispatch';
import { isTrustedSender, senderFrameOf } from './security';

export interface IpcOptions {
  /** The shared dispatcher. */
  dispatch: Dispatch;
  /** The renderer's entry URL; only main frames showing it, at its origin, may call. */
  appUrl: string;
  /** Ids of the windows DSLab created. */
  ourWindowIds: () => number[];
}

export function registerIpc(opts: IpcOptions): void {
  for (const name of methodNames) {
    ipcMain.handle(methodChannel(name), async (event: IpcMainInvokeEvent, payload: unknown) => {
      const win = BrowserWindow.fromWebContents(event.sender);
      const trusted = isTrustedSender(
        { windowId: win ? win.id : null, frame: senderFrameOf(event.senderFrame) },
        opts.ourWindowIds(),
        opts.appUrl,
      );
      if (!trusted) {
        return { ok: false, error: { code: 'forbidden', message: `${name}: caller is not a DSLab window.` } };
      }
      return opts.dispatch(name, payload);
    });
  }
}
