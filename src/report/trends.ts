/**
 * A table's changes since earlier waves as the report prints them: for the whole sample (the
 * `all` domain), each category's figure then and now and the change with its interval, in
 * percentage points for proportions. Every domain's changes are in `tables/<id>.trends.csv`.
 */
import { estimateText, meanNumber, percentNumber, pText } from './format.ts';
import { categoryLabel } from './labels.ts';
import type { TableResult, Trend } from './model.ts';

export interface TrendLine {
  category: string;
  then: string;
  now: string;
  /** `+4.2 points (−1.0 to +9.4)`, or for a mean `+0.3 (−0.1 to +0.7)`. */
  change: string;
  p: string;
}

export interface TrendBlock {
  wave: string;
  lines: TrendLine[];
}

const signed = (text: string) => (text.startsWith('-') || text.startsWith('\u2212') ? `\u2212${text.replace(/^[-\u2212]/, '')}` : `+${text}`);

function changeText(trend: Trend, kind: TableResult['kind']): string {
  const show = (x: number) => signed(kind === 'proportion' ? percentNumber(x) : meanNumber(x));
  const unit = kind === 'proportion' ? ' points' : '';
  return `${show(trend.change)}${unit} (${show(trend.ci_low)} to ${show(trend.ci_high)})`;
}

/** One block per earlier wave, for the whole sample; empty when the table has no trends. */
export function trendBlocks(table: TableResult): TrendBlock[] {
  const trends = (table.trends ?? []).filter((t) => t.domain === 'all');
  const waves = [...new Set(trends.map((t) => t.wave))];
  return waves.map((wave) => ({
    wave,
    lines: trends
      .filter((t) => t.wave === wave)
      .map((t) => ({
        category: categoryLabel(table, t.category),
        then: estimateText(t.then, table.kind),
        now: estimateText(t.now, table.kind),
        change: changeText(t, table.kind),
        p: pText(t.p_value),
      })),
  }));
}
