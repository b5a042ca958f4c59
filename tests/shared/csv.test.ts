// The one CSV writer: which cells it guards, what it leaves alone, and that the guard comes off again.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvRecords, csvText, guardCell, unguardCell } from '../../src/shared/csv.ts';

/** Whether a spreadsheet could take some line of the cell as a formula. */
const runnable = (cell: string) => /(?:^|[\n\r])[=+\-@\t\r]/.test(cell);

const read = (text: string) => Papa.parse<string[]>(text.replace(/\n$/, ''), { newline: '\n' }).data;

describe('guardCell', () => {
  it.each(['=1+1', '+44 131', '-2 points', '@SUM(A1:A9)', '\t=cmd', '\rcmd', '=HYPERLINK("http://example.org")'])(
    'puts an apostrophe before %j',
    (text) => {
      expect(guardCell(text)).toBe(`'${text}`);
    },
  );

  it('guards every line of a cell that spans lines, not only the first', () => {
    expect(guardCell('Fine.\n=1+1\r-2\r\n@x')).toBe("Fine.\n'=1+1\r'-2\r\n'@x");
    expect(guardCell('=a\n=b')).toBe("'=a\n'=b");
    expect(guardCell('\r=cmd')).toBe("'\r'=cmd");
  });

  it('guards a formula followed by a line break, which papaparse’s escapeFormulae lets through', () => {
    expect(Papa.unparse([['=1+1\nx']], { escapeFormulae: true })).toBe('"=1+1\nx"');
    expect(guardCell('=1+1\nx')).toBe("'=1+1\nx");
  });

  it('gives a line that already starts with an apostrophe before such a character one more', () => {
    expect(guardCell("'=1+1")).toBe("''=1+1");
    expect(guardCell("a\n''-b")).toBe("a\n'''-b");
  });

  it('leaves text alone that no spreadsheet would run', () => {
    for (const text of ['', 'public', "it's fine", "'quoted'", 'a=b', 'x-y', 'a\nb', 'mean', 'sector=public']) expect(guardCell(text)).toBe(text);
  });
});

describe('unguardCell', () => {
  it('gives back exactly what guardCell was given, for every mix of risky characters, apostrophes and line breaks', () => {
    const parts = ['', '=', '+', '-', '@', '\t', '\r', '\n', '\r\n', "'", "''", 'a', ' '];
    let checked = 0;
    for (const a of parts) for (const b of parts) for (const c of parts) for (const d of parts) {
      const text = a + b + c + d;
      const guarded = guardCell(text);
      expect(runnable(guarded), JSON.stringify(guarded)).toBe(false);
      expect(unguardCell(guarded), JSON.stringify(text)).toBe(text);
      checked++;
    }
    expect(checked).toBe(parts.length ** 4);
  });

  it('leaves an apostrophe alone that is not a guard', () => {
    for (const text of ["it's", "'quoted'", "a\n'b", "'"]) expect(unguardCell(text)).toBe(text);
  });
});

describe('csvText', () => {
  it('guards text cells, quotes as RFC 4180 says, and reads back to the guarded text', () => {
    const text = csvText(['label', 'note'], [['=1+1', 'say "no", then\n-go']]);
    expect(text).toBe(`label,note\n'=1+1,"say ""no"", then\n'-go"\n`);
    expect(read(text)).toEqual([['label', 'note'], ["'=1+1", `say "no", then\n'-go`]]);
  });

  it('writes numbers, and numbers written as text in a numeric column, as they are', () => {
    const text = csvText(['domain', 'estimate', 'p_value'], [['-x', '-0.250000', '4.014e-7'], ['all', -3, '-1e-9'], ['+y', '', null]], { numeric: ['estimate', 'p_value'] });
    expect(read(text)).toEqual([
      ['domain', 'estimate', 'p_value'],
      ["'-x", '-0.250000', '4.014e-7'],
      ['all', '-3', '-1e-9'],
      ["'+y", '', ''],
    ]);
  });

  it('guards anything in a numeric column that is not a number', () => {
    const text = csvText(['estimate'], [['-1+1'], ['=0.5'], ['-'], ['-0.5\n=1']], { numeric: ['estimate'] });
    expect(read(text).slice(1).flat()).toEqual(["'-1+1", "'=0.5", "'-", "'-0.5\n'=1"]);
  });

  it('guards a text cell that looks like a negative number, since its column says it is text', () => {
    expect(csvText(['label'], [['-3']])).toBe("label\n'-3\n");
  });

  it('ends with one newline whether or not there are rows, and never writes \\r\\n', () => {
    expect(csvText(['a', 'b'], [])).toBe('a,b\n');
    expect(csvText(['a', 'b'], [['1', '2']])).toBe('a,b\n1,2\n');
    expect(csvRecords([])).toBe('');
  });

  it('refuses a numeric column that the header does not have', () => {
    expect(() => csvText(['a'], [], { numeric: ['b'] })).toThrow(/numeric columns b are not in the header/);
  });
});

describe('csvRecords quoting', () => {
  // Every kind of cell that quoting has to decide about, alone and at the edges of other text.
  const pieces = ['', 'a', ' ', ',', '"', '""', '\n', '\r', '\r\n', '\ufeff', "'", '=', 'é', '\t'];
  const cells: (string | number | null | undefined)[] = [null, undefined, 0, -3, 0.25, 1e21, 4.014e-7];
  for (const a of pieces) for (const b of pieces) cells.push(a + b, `${a}x${b}`, ` ${a}${b} `);

  it('quotes and escapes every cell exactly as papaparse’s unparse does, for cells that need no guard', () => {
    const safe = cells.filter((cell) => typeof cell !== 'string' || guardCell(cell) === cell);
    const records = safe.map((cell, i) => [cell, i, 'x']);
    records.push([], ['']);
    expect(csvRecords(records)).toBe(`${Papa.unparse(records, { newline: '\n' })}\n`);
  });

  it('quotes a guarded cell as papaparse would quote the guarded text', () => {
    const risky = cells.filter((cell): cell is string => typeof cell === 'string' && guardCell(cell) !== cell);
    expect(risky.length).toBeGreaterThan(10);
    expect(csvRecords(risky.map((cell) => [cell]))).toBe(`${Papa.unparse(risky.map((cell) => [guardCell(cell)]), { newline: '\n' })}\n`);
  });
});
