import { describe, expect, it } from 'vitest';
import { problemLines } from './problem-lines';

describe('problemLines', () => {
  it('splits a refusal into its lead and one line per path', () => {
    const r = problemLines(
      'This is not a valid DSLab file: $.scenario.topology.links[0].b: link l1 names unknown node n9; $.scenario.seed: must be at least 0; and 2 more',
    );
    expect(r.lead).toBe('This is not a valid DSLab file.');
    expect(r.lines).toEqual([
      '$.scenario.topology.links[0].b: link l1 names unknown node n9',
      '$.scenario.seed: must be at least 0',
      'and 2 more',
    ]);
  });

  it('keeps a message without paths as one line', () => {
    expect(problemLines('The file is 21.0 MiB; DSLab imports files of at most 20.0 MiB.')).toEqual({
      lead: '',
      lines: ['The file is 21.0 MiB; DSLab imports files of at most 20.0 MiB.'],
    });
  });
});
