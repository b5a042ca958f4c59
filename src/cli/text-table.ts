/** Plain-text tables for the terminal, the same for every command. */

/** Columns padded to their widest cell; the first `left` columns left-aligned, the others right-aligned. */
export function textTable(rows: readonly string[][], left = 1): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => [...row[i]!].length)));
  return rows
    .map((row) => row.map((cell, i) => (i < left ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd() + '\n')
    .join('');
}
