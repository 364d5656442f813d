import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvColumns, csvLine, flatten } from '../../lib/csv';
import { parseCsv } from '../helpers/csv';

describe('csvCell (OWASP CSV injection)', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['=HYPERLINK("http://example.com/x","click")', `"'=HYPERLINK(""http://example.com/x"",""click"")"`],
    ['+1', `"'+1"`],
    ['-A1', `"'-A1"`],
    ['-3', `"'-3"`],
    ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['\t=1+1', `"'\t=1+1"`],
    ['\r=1+1', `"'\r=1+1"`],
  ])('writes the text %j as text: prefixed with a quote mark and quoted', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it.each([
    ['s-042', 's-042'],
    ['2026-07-01', '2026-07-01'],
    ['a,b', '"a,b"'],
    ['a;=1+1', '"a;=1+1"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ["'=1+1", "'=1+1"],
  ])('writes the harmless text %j as it is, quoted only when it holds a separator, a quote or a line break', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it('writes numbers and booleans of the data as they are, a negative number too', () => {
    expect([-3, 0.25, -0.0125, 1e21, true, false, null, undefined].map(csvCell)).toEqual(['-3', '0.25', '-0.0125', '1e+21', 'true', 'false', '', '']);
  });

  it('gives back every text cell, read as a spreadsheet reads it, either as it was or behind a quote mark when it starts a formula', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ',', ';', '"', "'", 'a', '1', ' ') }), { minLength: 1, maxLength: 4 }),
        (texts) => {
          const columns = texts.map((_, i) => `c${i}`);
          const [read] = parseCsv(`${csvLine(columns, Object.fromEntries(texts.map((t, i) => [`c${i}`, t])))}\n`);
          texts.forEach((t, i) => {
            const cell = read![i]!;
            expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
            expect(cell).toBe(/^[=+\-@\t\r]/.test(t) ? `'${t}` : t);
          });
        },
      ),
    );
  });
});

describe('flatten', () => {
  it('gives one dot-path column per field, an array as one JSON cell, and keeps the numbers of the data numbers', () => {
    const row = flatten({ sellerId: 's-1', tier: { score: -0.5, name: 'top' }, reasons: ['=x', 'y'], note: null });
    expect(row).toEqual({ sellerId: 's-1', 'tier.score': -0.5, 'tier.name': 'top', reasons: '["=x","y"]', note: null });
    expect(csvColumns([row], ['note', 'sellerId'])).toEqual(['note', 'sellerId', 'tier.score', 'tier.name', 'reasons']);
    expect(csvLine(['sellerId', 'tier.score', 'missing', 'reasons'], row)).toBe('s-1,-0.5,,"[""=x"",""y""]"');
  });
});
