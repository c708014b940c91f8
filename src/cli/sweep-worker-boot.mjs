// Entry of a sweep worker thread. Node 20 does not apply tsx's loader (inherited through
// `--import tsx`) to a worker whose entry is a .ts file ("Unknown file extension .ts"), so this
// plain-JS entry registers tsx in the worker's own thread, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
