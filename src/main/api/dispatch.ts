/**
 * Turns (method, payload) into an envelope: checks the method is in the contract,
 * validates the payload with its zod schema, runs the handler, and converts any failure
 * into an error that names what is wrong. Shared by the Electron IPC layer and the web
 * server, so both transports behave the same for the same input.
 */
import {
  type ApiError,
  DslabApiError,
  describeZodError,
  type Envelope,
  isMethodName,
  type MethodName,
  methods,
  type Req,
  type Res,
} from '../../shared/api';

/**
 * Who makes a call: one web-mode socket. What its calls open (simulations, experiments) ends
 * when it closes (ApiHost.release). Electron's window has no caller: closing it ends everything.
 */
export interface Caller {
  /** Unique per socket for the life of the server. */
  readonly id: string;
}

/** One handler per method, receiving the validated payload and who called. */
export type Handlers = {
  [M in MethodName]: (payload: Req<M>, caller?: Caller) => Res<M> | Promise<Res<M>>;
};

/** Dispatches a call; never throws. */
export type Dispatch = (method: unknown, payload: unknown, caller?: Caller) => Promise<Envelope<unknown>>;

/** Builds the dispatcher over a complete handler table. */
export function createDispatcher(handlers: Handlers, log: (msg: string) => void = () => {}): Dispatch {
  return async (method, payload, caller) => {
    if (!isMethodName(method)) {
      return fail({ code: 'unknown-method', message: `Unknown API method ${JSON.stringify(method)}.` });
    }
    const parsed = methods[method].request.safeParse(payload ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return fail({
        code: 'bad-request',
        message: `${method}: ${describeZodError(parsed.error)}`,
        ...(first ? { path: first.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) } : {}),
      });
    }
    try {
      const handler = handlers[method] as (p: unknown, caller?: Caller) => unknown;
      const value = await handler(parsed.data, caller);
      return { ok: true, value };
    } catch (err) {
      if (err instanceof DslabApiError) {
        return fail({ code: err.code, message: err.message, ...(err.path ? { path: err.path } : {}) });
      }
      const message = err instanceof Error ? err.message : String(err);
      log(`${method} failed: ${err instanceof Error && err.stack ? err.stack : message}`);
      return fail({ code: 'internal', message: `${method} failed: ${message}` });
    }
  };
}

function fail(error: ApiError): Envelope<never> {
  return { ok: false, error };
}
