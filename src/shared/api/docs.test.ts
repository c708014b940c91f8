import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { methodNames, methods } from './contract';
import { renderApiDoc } from './docs';

const file = path.resolve('docs/api.md');

describe('the API documentation', () => {
  it('docs/api.md is the table as it is now', () => {
    const text = renderApiDoc();
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(file, text);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('every method has a doc line and strict or typed request schema', () => {
    for (const name of methodNames) {
      expect(methods[name].doc.length, name).toBeGreaterThan(10);
      // an object payload refuses unknown fields
      const r = methods[name].request.safeParse({ __unknown_field__: 1 });
      expect(r.success, `${name} accepted an unknown field`).toBe(false);
    }
  });
});
