/** Renders the API table as Markdown (docs/api.md is generated from it and kept equal by a test). */
import { events, methods } from './contract';

export function renderApiDoc(): string {
  const lines = [
    '# The DSLab API',
    '',
    'Generated from `src/shared/api/contract.ts` (`UPDATE_DOCS=1 npx vitest run src/shared/api` rewrites this file).',
    'Every call answers an envelope `{ok: true, value}` or `{ok: false, error: {code, message, path?}}`;',
    "the renderer calls them with `call(method, payload)` over Electron IPC or web mode's WebSocket.",
    '',
    '## Methods',
    '',
    '| method | what it does |',
    '|---|---|',
  ];
  for (const [name, spec] of Object.entries(methods)) lines.push(`| \`${name}\` | ${spec.doc} |`);
  lines.push('', '## Events', '', '| event | payload fields |', '|---|---|');
  for (const [name, schema] of Object.entries(events)) {
    lines.push(
      `| \`${name}\` | ${Object.keys(schema.shape)
        .map((k) => `\`${k}\``)
        .join(', ')} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
