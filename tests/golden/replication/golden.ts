import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Simulation } from '../../../src/sim/simulation';

/**
 * Golden transcripts (after etcd raft's testdata): a
 * readable projection of a run's trace, compared with a file a person reviewed.
 * `UPDATE_GOLDEN=1 npx vitest run tests/golden` rewrites the files; review the diff.
 */
export function transcript(
  sim: Simulation,
  keep: (kind: string, msgType: string | undefined) => boolean,
): string {
  const lines: string[] = [];
  for (const r of sim.traceWindow({ from: 0, to: Number.MAX_SAFE_INTEGER }, Number.MAX_SAFE_INTEGER)) {
    if (!keep(r.kind, r.msgType)) continue;
    const who = r.peer !== undefined ? `${r.node}->${r.peer}` : r.node;
    const what = [r.msgType, r.detail].filter((x) => x !== undefined).join(' ');
    lines.push(`${String(r.timeUs).padStart(9)} ${r.kind.padEnd(9)} ${who.padEnd(8)} ${what}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/** Compares text with the golden file (or writes it when UPDATE_GOLDEN=1 or the file is new). */
export function expectGolden(path: string, text: string, header: string): void {
  const full = `# ${header}\n# Rewrite with UPDATE_GOLDEN=1 and review the diff.\n${text}`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    writeFileSync(path, full);
    return;
  }
  expect(full).toBe(readFileSync(path, 'utf8'));
}
