import { describe, expect, it } from 'vitest';
import { parseBlocks } from './markdown-blocks';

describe('parseBlocks (the exercise Markdown subset)', () => {
  it('reads headings, paragraphs, lists with continuation lines and code', () => {
    const blocks = parseBlocks(
      '# Title\n\nOne\nparagraph.\n\n1. first\n   continued\n2. second\n\n- a\n- b\n\n```\n<b>raw</b>\n```\n',
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Title' },
      { kind: 'para', text: 'One paragraph.' },
      { kind: 'list', ordered: true, items: ['first continued', 'second'] },
      { kind: 'list', ordered: false, items: ['a', 'b'] },
      { kind: 'code', text: '<b>raw</b>' },
    ]);
  });
});
