/**
 * Breaking a chart's label into lines no wider than a width, by the same font metrics the charts
 * are laid out with (text-width.ts), so a label is shown whole on as many lines as it needs
 * rather than cut short with an ellipsis.
 *
 * Breaks fall between words, or after a hyphen, dash or slash inside one. A word too wide for a
 * line on its own keeps its line to itself, wider than asked: cutting it would lose the words a
 * reader needs, and the chart's layout makes room for any width.
 */
import { textWidth } from './text-width.ts';

/** Where a line may break inside a word: after these characters. */
const BREAK_AFTER = /(?<=[-\u2013\u2014/])/;

/** The pieces of a word that a line may end between, each keeping its breaking character. */
function pieces(word: string): string[] {
  return word.split(BREAK_AFTER).filter((p) => p !== '');
}

export function wrapLines(text: string, width: number, fontSize: number, bold = false): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/).filter((w) => w !== '')) {
    pieces(word).forEach((piece, i) => {
      const candidate = line === '' ? piece : i === 0 ? `${line} ${piece}` : line + piece;
      if (line === '' || textWidth(candidate, fontSize, bold) <= width) line = candidate;
      else {
        lines.push(line);
        line = piece;
      }
    });
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * The lines of a wrapped label joined by a line feed, which no label contains: the charts carry
 * each label as one value (it is what their sort orders and joins match on), and split it into
 * lines only where it is drawn (see LINES in chart-spec.ts).
 */
export function wrapLabel(text: string, width: number, fontSize: number, bold = false): string {
  return wrapLines(text, width, fontSize, bold).join('\n');
}
