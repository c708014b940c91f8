/**
 * A scripted workload as the inspector edits it: one operation per line,
 * `<time in ms> <client> read <key>` or `<time in ms> <client> write <key> [value]`, blank lines
 * and `#` comments ignored. Pure: the text is parsed here and checked against the scenario's
 * schema by the form, so an error names its line.
 */
import type { ScriptedOp } from '../../../shared/scenario/schema';

/** The script as text, one line per operation, in list order. */
export function scriptText(ops: readonly ScriptedOp[]): string {
  return ops
    .map((o) => {
      const t = String(Math.round(o.atUs) / 1000);
      const tail = o.op === 'write' && o.value !== undefined ? ` ${o.value}` : '';
      return `${t} ${o.client} ${o.op} ${o.key}${tail}`;
    })
    .join('\n');
}

/** The operations a text describes, or why it cannot be read (naming the line). */
export function parseScript(
  text: string,
  nodeIds: ReadonlySet<string>,
): { ok: true; ops: ScriptedOp[] } | { ok: false; error: string } {
  const ops: ScriptedOp[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const at = `line ${n + 1}`;
    const words = line.split(/\s+/);
    const [time, client, op, key, value, ...extra] = words;
    const ms = Number(time);
    if (!/^\d+(\.\d+)?$/.test(time ?? '') || !Number.isFinite(ms))
      return { ok: false, error: `${at}: "${time}" is not a time in ms (say 120 or 120.5)` };
    if (client === undefined || !nodeIds.has(client))
      return {
        ok: false,
        error: `${at}: ${client === undefined ? 'no client' : `no node is called ${client}`} (write: <ms> <client> read|write <key> [value])`,
      };
    if (op !== 'read' && op !== 'write')
      return { ok: false, error: `${at}: "${op ?? ''}" is neither read nor write` };
    if (key === undefined) return { ok: false, error: `${at}: the ${op} names no key` };
    if (op === 'read' && value !== undefined)
      return { ok: false, error: `${at}: a read takes no value (${value})` };
    if (extra.length > 0)
      return { ok: false, error: `${at}: "${extra.join(' ')}" is more than an operation` };
    const o: ScriptedOp = { atUs: Math.round(ms * 1000), client, op, key };
    if (value !== undefined) o.value = value;
    ops.push(o);
  }
  if (ops.length === 0) return { ok: false, error: 'a script has at least one operation' };
  return { ok: true, ops };
}
