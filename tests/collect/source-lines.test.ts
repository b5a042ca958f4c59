import { describe, expect, it } from 'vitest';
import { checkInstrumentText } from '../../src/instrument/check.ts';
import { sourceLines } from '../../src/collect/source-lines.ts';

describe('an instrument shown with its problems beside the lines', () => {
  it('puts the checker’s problem on the line that holds the mistake', () => {
    const text = ['id: demo', 'version: "1"', 'title: Demo', 'kind: individual', 'source: test', 'pages:', '  - id: one', '    title: One', '    questions:', '      - id: q', '        type: choose', '        text: Q?', ''].join('\n');
    const { problems } = checkInstrumentText(text, 'upload.yaml');
    expect(problems.length).toBeGreaterThan(0);
    const lines = sourceLines(text, problems);
    expect(lines).toHaveLength(12);
    const flagged = lines.filter((line) => line.problems.length > 0);
    expect(flagged.map((line) => line.number)).toEqual([...new Set(problems.map((p) => p.line))]);
    expect(flagged[0]!.text).toContain('type: choose');
  });

  it('keeps a problem placed past the end on the last line, and reads Windows line ends', () => {
    const lines = sourceLines('a: 1\r\nb: 2', [{ file: 'x', line: 9, message: 'ends early' }]);
    expect(lines.map((l) => l.text)).toEqual(['a: 1', 'b: 2']);
    expect(lines[1]!.problems).toEqual(['ends early']);
  });
});
