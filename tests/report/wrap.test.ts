import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/report/text-width.ts';
import { wrapLabel, wrapLines } from '../../src/report/wrap.ts';

const LABEL = 'Delegated authority, personal authority and meaningful decision-making';

describe('wrapping a chart label', () => {
  it('keeps a label that fits on one line as it is', () => {
    expect(wrapLines('Front line', 120, 12)).toEqual(['Front line']);
  });

  it('breaks a long label between words into lines no wider than the width, losing no word', () => {
    const lines = wrapLines(LABEL, 120, 12);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(textWidth(line, 12), line).toBeLessThanOrEqual(120);
    expect(lines.join(' ').replace(/- /g, '-')).toBe(LABEL);
  });

  it('fills each line as far as the next word allows', () => {
    const lines = wrapLines(LABEL, 120, 12);
    lines.slice(0, -1).forEach((line, i) => {
      const next = lines[i + 1]!.split(/(?<=-)| /)[0]!;
      const joined = line.endsWith('-') ? line + next : `${line} ${next}`;
      expect(textWidth(joined, 12), `“${next}” would have fitted after “${line}”`).toBeGreaterThan(120);
    });
  });

  it('may break after a hyphen or a slash inside a word', () => {
    expect(wrapLines('Co-consultancy', 60, 12)).toEqual(['Co-', 'consultancy']);
    expect(wrapLines('Health/social care', 50, 12)[0]).toBe('Health/');
  });

  it('keeps a word too wide for any line whole, on a line of its own', () => {
    expect(wrapLines('a supercalifragilistic word', 40, 12)).toEqual(['a', 'supercalifragilistic', 'word']);
  });

  it('measures bold text as wider than regular text', () => {
    const text = 'Middle managers and senior managers';
    const width = textWidth(text, 12) + 1;
    expect(textWidth(text, 12, true)).toBeGreaterThan(width);
    expect(wrapLines(text, width, 12)).toEqual([text]);
    expect(wrapLines(text, width, 12, true)).toEqual(['Middle managers and senior', 'managers']);
  });

  it('joins the lines with a line feed, and gives nothing for an empty label', () => {
    expect(wrapLabel('Senior leaders in the organisation', 90, 12)).toBe(wrapLines('Senior leaders in the organisation', 90, 12).join('\n'));
    expect(wrapLabel('Senior leaders in the organisation', 90, 12)).toContain('\n');
    expect(wrapLines('   ', 90, 12)).toEqual([]);
  });
});
