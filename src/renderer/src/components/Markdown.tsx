/**
 * A tiny Markdown renderer for exercise instructions and hints: headings, paragraphs, lists,
 * fenced and inline code, bold and italic. Links show as their text (an exercise file comes
 * from anyone; nothing in it navigates). Everything becomes React text nodes: no HTML from the
 * file ever reaches the DOM as markup.
 */
import type { ReactNode } from 'react';
import { parseBlocks } from './markdown-blocks';

/** Inline spans: `code`, **bold**, *italic* / _italic_, [text](url) as text. */
export function renderInline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\([^)]*\)/g;
  let last = 0;
  let key = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code key={key++}>{m[1]}</code>);
    else if (m[2] !== undefined || m[3] !== undefined)
      out.push(<strong key={key++}>{renderInline(m[2] ?? m[3] ?? '')}</strong>);
    else if (m[4] !== undefined || m[5] !== undefined)
      out.push(<em key={key++}>{renderInline(m[4] ?? m[5] ?? '')}</em>);
    else if (m[6] !== undefined) out.push(m[6]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Markdown as React elements. Headings start at `baseLevel` (h3 by default) to fit the page outline. */
export function Markdown({ source, baseLevel = 3 }: { source: string; baseLevel?: number }) {
  const blocks = parseBlocks(source);
  return (
    <div className="md">
      {blocks.map((b, i) => {
        const key = `${b.kind}-${i}`;
        switch (b.kind) {
          case 'heading': {
            const level = Math.min(6, baseLevel + b.level - 1);
            const H = `h${level}` as 'h3';
            return (
              <H key={key} className={`md-h md-h${b.level}`}>
                {renderInline(b.text)}
              </H>
            );
          }
          case 'para':
            return <p key={key}>{renderInline(b.text)}</p>;
          case 'code':
            return (
              <pre key={key} className="md-code">
                <code>{b.text}</code>
              </pre>
            );
          case 'list': {
            const L = b.ordered ? 'ol' : 'ul';
            return (
              <L key={key}>
                {b.items.map((t, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: list items of a static text, never reordered.
                  <li key={j}>{renderInline(t)}</li>
                ))}
              </L>
            );
          }
          default:
            return null;
        }
      })}
    </div>
  );
}
