import type { DslabBridge } from '../shared/api/bridge';

declare global {
  interface Window {
    /** Present in the Electron window; absent in web mode (the WebSocket client is used). */
    dslab?: DslabBridge;
  }
}
