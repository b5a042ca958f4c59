/**
 * The width of a chart's text, worked out from a table of character widths rather than measured.
 *
 * Vega lays out labels by their width. With the optional `canvas` package it measures them with
 * the machine's fonts, so the layout (and the bytes) would follow what is installed; without it,
 * it guesses 0.8 em a character, which leaves wide gaps beside every axis. The charts name
 * Helvetica first, then fonts made to its measures (Arial, Liberation Sans, Nimbus Sans), so the
 * widths of Helvetica's standard font metrics (Adobe's AFM files, in thousandths of an em) are
 * the widths a reader's machine draws, on any system, without measuring anything.
 */

// Advance widths of the printable ASCII characters, space (32) to tilde (126).
const REGULAR = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];
const BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
  611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
/** Characters outside ASCII that reports use often. */
const OTHER: Record<string, number> = {
  '\u2013': 556, // en dash
  '\u2014': 1000, // em dash
  '\u2018': 222,
  '\u2019': 222,
  '\u201c': 333,
  '\u201d': 333,
  '\u2020': 556, // dagger
  '\u2021': 556, // double dagger
  '\u2026': 1000, // ellipsis
  '\u2212': 584, // minus
  '\u00b7': 278, // middle dot
  '\u00a0': 278,
};
/** Anything else: a wide Latin letter, so an unknown character is never drawn over its neighbour. */
const FALLBACK = 667;
/** A little room on top of the metrics, for a fallback font that is a touch wider. */
const SLACK = 1.04;

function isBold(weight: unknown): boolean {
  if (typeof weight === 'number') return weight >= 600;
  return weight === 'bold' || weight === 'bolder' || (typeof weight === 'string' && Number(weight) >= 600);
}

/** The width in pixels of one line of text at a font size, regular or bold. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let units = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? table[code - 32]! : (OTHER[char] ?? FALLBACK);
  }
  // Rounded to a hundredth of a pixel, so the layout carries no long fractions into the SVG.
  return Math.round(((units * fontSize) / 1000) * SLACK * 100) / 100;
}

interface TextItem {
  fontSize?: number | string | null;
  fontWeight?: number | string | null;
  limit?: number | null;
}

/**
 * In the shape Vega calls `textMetrics.width(item, text)`. A label Vega will cut to `limit` is
 * reported no wider than the limit, so the layout leaves room for the cut label, not the whole.
 */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const line = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const width = textWidth(line, size, isBold(item.fontWeight));
  const limit = Number(item.limit);
  return limit > 0 ? Math.min(width, limit) : width;
}
