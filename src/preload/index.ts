/**
 * The preload exposes exactly the API table as `window.dslab` and nothing else: no
 * ipcRenderer, no Node. It forwards calls to the per-method channels and events from the
 * per-event channels; main validates every payload.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import {
  type DslabBridge,
  eventChannel,
  eventNames,
  isMethodName,
  methodChannel,
  methodNames,
} from '../shared/api';

const bridge: DslabBridge = {
  transport: 'electron',
  methods: [...methodNames],
  invoke(method, payload) {
    if (!isMethodName(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown-method', message: `Unknown API method ${JSON.stringify(method)}.` },
      });
    }
    return ipcRenderer.invoke(methodChannel(method), payload);
  },
  on(event, listener) {
    if (!(eventNames as readonly string[]).includes(event)) throw new Error(`Unknown API event ${event}`);
    const channel = eventChannel(event);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('dslab', bridge);
