/**
 * One API socket of web mode: its calls in, its replies out, with flow control so that a page
 * that reads slowly (or not at all) cannot make the server hold more and more for it.
 *
 * - Calls are started one per turn of the event loop, and only while the socket's unsent
 *   replies are under HIGH_WATER_BYTES and fewer than MAX_IN_FLIGHT of its calls are running
 *   (long calls run in slices, so several can be under way). Otherwise the socket is not read
 *   (ws.pause): the client's further messages wait in TCP, on its side.
 * - Events (progress) are skipped for a socket that is over HIGH_WATER_BYTES; the next one
 *   carries the newer state.
 * - When the socket closes, its queued calls are dropped and `release` frees what it held
 *   (its simulations, its experiments).
 */
import type WebSocket from 'ws';
import type { Caller, Dispatch } from '../main/api/dispatch';

/** Unsent reply bytes above which a socket's calls wait and it is not read. */
export const HIGH_WATER_BYTES = 16 * 1024 * 1024;
/** Calls of one socket that may be running at once. */
export const MAX_IN_FLIGHT = 16;

/** The wire format of a call from the page. */
interface CallMessage {
  id: number;
  method: string;
  payload: unknown;
}

/** What a connection needs from its server. */
export interface ConnectionOptions {
  /** The API dispatcher. */
  dispatch: Dispatch;
  /** Frees what a closed socket's calls made (its simulations and experiments). */
  release?: (caller: Caller) => void;
  /** Where failures are logged. */
  log: (message: string) => void;
}

let nextConnection = 1;

export class Connection {
  /** Who this socket's calls come from. */
  readonly caller: Caller = { id: `socket-${nextConnection++}` };
  private readonly queue: { text: string; isBinary: boolean }[] = [];
  private inFlight = 0;
  private unsent = 0;
  private pumpScheduled = false;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: ConnectionOptions,
  ) {
    ws.on('message', (data, isBinary) => {
      this.queue.push({ text: data.toString(), isBinary });
      this.pump();
    });
    ws.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
      opts.release?.(this.caller);
    });
  }

  /** Bytes handed to the socket that it has not written yet. */
  get unsentBytes(): number {
    return this.unsent;
  }

  /** Sends an event unless the socket is too far behind to take it. */
  event(text: string): void {
    if (this.unsent >= HIGH_WATER_BYTES) return;
    this.send(text);
  }

  /** Starts the next queued call if the socket may take one; reads again once it may. */
  private pump(): void {
    if (this.closed) return;
    const room = this.unsent < HIGH_WATER_BYTES && this.inFlight < MAX_IN_FLIGHT;
    if (room && this.queue.length > 0 && !this.pumpScheduled) {
      const next = this.queue.shift()!;
      this.start(next.text, next.isBinary);
      // The next call starts on the next turn, when this one's reply (if it was quick) has been
      // handed to the socket and counts against the high-water mark.
      if (this.queue.length > 0) {
        this.pumpScheduled = true;
        setImmediate(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    }
    if (this.queue.length > 0 || !room) this.ws.pause();
    else this.ws.resume();
  }

  private start(text: string, isBinary: boolean): void {
    this.inFlight++;
    this.answer(text, isBinary)
      .catch((err: unknown) => {
        this.opts.log(`web: a call failed outside its handler: ${err instanceof Error ? err.stack : err}`);
      })
      .finally(() => {
        this.inFlight--;
        this.pump();
      });
  }

  private async answer(text: string, isBinary: boolean): Promise<void> {
    if (isBinary) return this.reply(null, badRequest('messages must be JSON text'));
    let msg: CallMessage;
    try {
      msg = JSON.parse(text) as CallMessage;
    } catch {
      return this.reply(null, badRequest('the message is not valid JSON'));
    }
    if (typeof msg !== 'object' || msg === null || !Number.isSafeInteger(msg.id)) {
      return this.reply(null, badRequest('a call needs a whole-number "id", a "method" and a "payload"'));
    }
    const envelope = await this.opts.dispatch(msg.method, msg.payload, this.caller);
    this.reply(msg.id, envelope);
  }

  private reply(id: number | null, envelope: unknown): void {
    this.send(JSON.stringify({ id, ...(envelope as object) }));
  }

  private send(text: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    const bytes = Buffer.byteLength(text);
    this.unsent += bytes;
    this.ws.send(text, () => {
      this.unsent -= bytes;
      this.pump();
    });
  }
}

function badRequest(message: string) {
  return { ok: false as const, error: { code: 'bad-request' as const, message } };
}
