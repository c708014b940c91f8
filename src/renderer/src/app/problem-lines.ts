/** Pure text helpers for the library's dialogs (unit-tested under node). */

/**
 * The problems in a refusal, one per line: the store says "This is not a valid DSLab file:
 * $.a: reason; $.b: reason; and 3 more" (src/shared/files/parse.ts describeIssues). Returns
 * the lead sentence and the "$.path: reason" lines.
 */
export function problemLines(message: string): { lead: string; lines: string[] } {
  const first = message.search(/(^|\s)\$[.:[\s]/);
  const lead = first > 0 ? message.slice(0, first).trim().replace(/:$/, '.') : '';
  const rest = first >= 0 ? message.slice(first).trim() : message;
  const lines = rest
    .split(/\n|;\s+(?=\$|and \d+ more)/)
    .map((l) => l.trim())
    .filter(Boolean);
  return { lead, lines };
}
