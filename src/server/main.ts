/**
 * `npm run web -- [--port N] [--data DIR] [--new-token] [--memory-mb N] [--sim-memory-mb N]`:
 * DSLab in a browser. Serves out/renderer (built by scripts/web.mjs) and the API on 127.0.0.1,
 * with the token kept in the data folder (--new-token replaces it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiHost } from '../main/api/host';
import { memoryBudgets } from '../main/memory';
import { defaultDataDir } from '../main/paths';
import { explainStoreError, openStore, STORE_FILE, StoreError } from '../main/store/database';
import { startWebServer, type WebServer } from './server';
import { loadToken } from './token';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USAGE = 'npm run web -- [--port N] [--data DIR] [--new-token] [--memory-mb N] [--sim-memory-mb N]';

function fail(message: string): never {
  process.stderr.write(`dslab web: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: {
    port?: string;
    data?: string;
    static?: string;
    'memory-mb'?: string;
    'sim-memory-mb'?: string;
    'new-token'?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        static: { type: 'string' },
        'memory-mb': { type: 'string' },
        'sim-memory-mb': { type: 'string' },
        'new-token': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)} (usage: ${USAGE})`);
  }
  const port = values.port === undefined ? 5317 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be a whole number from 0 to 65535, got ${values.port}`);
  const { budgets, problems } = memoryBudgets(process.env, {
    hostMb: values['memory-mb'],
    simMb: values['sim-memory-mb'],
  });
  if (problems.length > 0) fail(problems.join('; '));
  const dataDir = values.data ? path.resolve(values.data) : defaultDataDir();
  const staticDir = values.static ? path.resolve(values.static) : path.join(root, 'out', 'renderer');
  if (!fs.existsSync(path.join(staticDir, 'index.html')))
    fail(`no built renderer at ${staticDir}; run \`npm run build\` first`);

  const version = (
    JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  ).version;
  let server: WebServer | undefined;
  let db: ReturnType<typeof openStore>;
  let host: ReturnType<typeof createApiHost>;
  try {
    db = openStore(dataDir);
    host = createApiHost({
      transport: 'web',
      dataDir,
      db,
      version,
      electronVersion: null,
      emit: (event, payload) => server?.emit(event, payload),
      log: (msg) => process.stderr.write(`${msg}\n`),
      budgets,
    });
  } catch (caught) {
    // A damaged, empty or newer library (found on opening it, or when the built-ins are
    // seeded): one sentence naming the file and what to do, not a stack trace.
    const err = explainStoreError(caught, path.join(dataDir, STORE_FILE));
    if (err instanceof StoreError) fail(err.message);
    throw err;
  }
  const kept = loadToken(dataDir, { rotate: values['new-token'] === true });
  try {
    server = await startWebServer({
      port,
      staticDir,
      dispatch: host.dispatch,
      release: host.release,
      token: kept.token,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(code === 'EADDRINUSE' ? `port ${port} is in use; pass --port N (0 picks a free one)` : String(err));
  }
  const running = server;
  process.stdout.write(`DSLab web mode: open ${running.url}\n`);
  process.stdout.write(`Data folder: ${dataDir}\n`);
  if (kept.state === 'kept') {
    process.stdout.write(
      'The link is the same at every launch: bookmark it. `npm run web -- --new-token` replaces it.\n',
    );
  } else {
    const why =
      kept.state === 'replaced' ? `${kept.file} held no token, so there is a new one` : 'A new token';
    process.stdout.write(
      `${why}: links with an older one no longer open the lab. This one stays until \`npm run web -- --new-token\`.\n`,
    );
  }
  const stop = async () => {
    host.close();
    await running.close();
    db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
