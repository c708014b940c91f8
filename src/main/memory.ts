/**
 * Memory budgets of the host (docs/security.md "Resources"): one per simulation and one for
 * the whole process. A run that reaches its budget stops there with a sentence saying which
 * budget, how much, and how to raise it; a new run is refused while the host is over its own.
 */
import os from 'node:os';

/**
 * What a run holds per trace row, all told: the columns (33 bytes), checkpoints and series.
 * Measured by `npm run bench` (docs/kernel.md, Performance (d): 35 MB per million rows).
 */
export const BYTES_PER_TRACE_ROW = 35;
/** Default budget of one simulation: 1 GiB (about 30 million trace rows). */
export const DEFAULT_SIM_BUDGET_MB = 1024;

/** Default budget of the host process: half of the machine's memory, at least 1 GiB. */
export function defaultHostBudgetMb(totalBytes = os.totalmem()): number {
  return Math.max(1024, Math.floor(totalBytes / 2 / 1024 / 1024));
}

/** The budgets in force. */
export interface MemoryBudgets {
  /** Most bytes one simulation may hold (estimated from its trace rows). */
  simBytes: number;
  /** Most bytes the host process may use (V8 heap in use plus memory outside it). */
  hostBytes: number;
}

/** What the process uses now: V8's heap in use plus external memory (trace columns live there). */
export function hostBytesInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** How each budget is raised, for the messages. */
export const RAISE_SIM = 'DSLAB_SIM_MEMORY_MB=N (web mode: npm run web -- --sim-memory-mb N)';
export const RAISE_HOST = 'DSLAB_MEMORY_MB=N (web mode: npm run web -- --memory-mb N)';

/**
 * The budgets from the environment (DSLAB_SIM_MEMORY_MB, DSLAB_MEMORY_MB) and from flags,
 * which win. A value that is not a whole number of MiB from 16 up is a problem, named; its
 * default is used instead.
 */
export function memoryBudgets(
  env: NodeJS.ProcessEnv = process.env,
  flags: { simMb?: string | undefined; hostMb?: string | undefined } = {},
): { budgets: MemoryBudgets; problems: string[] } {
  const problems: string[] = [];
  const read = (value: string | undefined, name: string, fallback: number): number => {
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 16) {
      problems.push(`${name} must be a whole number of MiB, 16 or more; got ${JSON.stringify(value)}`);
      return fallback;
    }
    return n;
  };
  const simMb = read(
    flags.simMb ?? env.DSLAB_SIM_MEMORY_MB,
    flags.simMb !== undefined ? '--sim-memory-mb' : 'DSLAB_SIM_MEMORY_MB',
    DEFAULT_SIM_BUDGET_MB,
  );
  const hostMb = read(
    flags.hostMb ?? env.DSLAB_MEMORY_MB,
    flags.hostMb !== undefined ? '--memory-mb' : 'DSLAB_MEMORY_MB',
    defaultHostBudgetMb(),
  );
  return { budgets: { simBytes: simMb * 1024 * 1024, hostBytes: hostMb * 1024 * 1024 }, problems };
}

/** "1.5 GiB", "640 MiB", "103 KiB". */
export function formatBytes(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  if (mib >= 1024) return `${(mib / 1024).toFixed(1)} GiB`;
  return mib >= 1 ? `${Math.round(mib)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
