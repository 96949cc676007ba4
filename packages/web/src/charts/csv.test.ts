import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv.js';

describe('csv', () => {
  it('quotes cells that need it and leaves the rest', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(1.5)).toBe('1.5');
  });
  it('writes a header and rows with CRLF line ends', () => {
    expect(
      toCsv(
        ['term', 'or'],
        [
          ['age', 1.02],
          ['factor(stage)II', null],
        ],
      ),
    ).toBe('term,or\r\nage,1.02\r\nfactor(stage)II,\r\n');
  });
});
