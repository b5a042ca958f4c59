import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHumanCodingCsv } from '../../src/coding/csv-inputs.ts';
import { unwrap } from '../../src/coding/problems.ts';
import { coOccurrence, themeCounts, type SegmentCoding } from '../../src/coding/themes.ts';
import { codableSegments, parseTranscript } from '../../src/coding/transcript.ts';
import type { Segment } from '../../src/coding/types.ts';

let next = 0;
const segment = (attributes: Record<string, string>, id = `s${++next}`): Segment => ({ id, text: 'some words', attributes });
const coded = (attributes: Record<string, string>, ...codes: string[]): SegmentCoding => ({ segment: segment(attributes), codes });

const CODES = ['all-levels', 'authority', 'complexity'];

// Two public focus groups and one voluntary one; fg-pub-2 says nothing on authority.
const data: SegmentCoding[] = [
  coded({ group: 'fg-pub-1', sector: 'public' }, 'all-levels', 'authority'),
  coded({ group: 'fg-pub-1', sector: 'public' }, 'all-levels'),
  coded({ group: 'fg-pub-2', sector: 'public' }, 'all-levels'),
  coded({ group: 'fg-pub-2', sector: 'public' }),
  coded({ group: 'fg-vol-1', sector: 'voluntary' }, 'authority'),
  coded({ group: 'fg-vol-1', sector: 'voluntary' }, 'authority', 'complexity'),
];

describe('counting themes', () => {
  it('counts groups and segments for every code over all segments, with the bases of the whole set', () => {
    expect(themeCounts(data, CODES)).toEqual([
      { domain: 'all', code: 'all-levels', groups: 2, groupsBase: 3, segments: 3, segmentsBase: 6 },
      { domain: 'all', code: 'authority', groups: 2, groupsBase: 3, segments: 3, segmentsBase: 6 },
      { domain: 'all', code: 'complexity', groups: 1, groupsBase: 3, segments: 1, segmentsBase: 6 },
    ]);
  });

  it('adds a domain for each value of the attribute named, in code-unit order after the whole set, codes in the order given', () => {
    const rows = themeCounts(data, ['complexity', 'authority'], 'sector');
    expect(rows.map((r) => `${r.domain} ${r.code}`)).toEqual([
      'all complexity',
      'all authority',
      'sector=public complexity',
      'sector=public authority',
      'sector=voluntary complexity',
      'sector=voluntary authority',
    ]);
    expect(rows.filter((r) => r.domain === 'sector=public')).toEqual([
      { domain: 'sector=public', code: 'complexity', groups: 0, groupsBase: 2, segments: 0, segmentsBase: 4 },
      { domain: 'sector=public', code: 'authority', groups: 1, groupsBase: 2, segments: 1, segmentsBase: 4 },
    ]);
  });

  it('orders domain values by code units, so that capitalised values come before lower-case ones whatever the locale', () => {
    const rows = themeCounts([coded({ group: 'a', method: 'focus group' }), coded({ group: 'b', method: 'Consultation' })], ['x'], 'method');
    expect(rows.map((r) => r.domain)).toEqual(['all', 'method=Consultation', 'method=focus group']);
  });

  it('counts segments with no code in the segment base and their groups in the group base', () => {
    const rows = themeCounts([coded({ group: 'g1' }), coded({ group: 'g2' }, 'authority')], ['authority']);
    expect(rows).toEqual([{ domain: 'all', code: 'authority', groups: 1, groupsBase: 2, segments: 1, segmentsBase: 2 }]);
  });

  it('counts segments without a group by their source, all of one source as one group', () => {
    const answers = [
      coded({ source: 'individual-survey' }, 'authority'),
      coded({ source: 'individual-survey' }, 'authority'),
      coded({ source: 'organisational-survey' }),
      coded({ group: 'fg-1' }, 'authority'),
    ];
    expect(themeCounts(answers, ['authority'])[0]).toMatchObject({ groups: 2, groupsBase: 3, segments: 3, segmentsBase: 4 });
  });

  it('keeps a group and a source of the same name apart', () => {
    const rows = themeCounts([coded({ group: 'x' }, 'authority'), coded({ source: 'x' }, 'authority')], ['authority']);
    expect(rows[0]).toMatchObject({ groups: 2, groupsBase: 2 });
  });

  it('counts the segments with neither a group nor a source as one group in each domain', () => {
    const rows = themeCounts(
      [coded({ sector: 'public' }, 'authority'), coded({ sector: 'public' }, 'authority'), coded({ sector: 'private' }), coded({ group: 'fg-1', sector: 'public' })],
      ['authority'],
      'sector',
    );
    expect(rows).toEqual([
      { domain: 'all', code: 'authority', groups: 1, groupsBase: 2, segments: 2, segmentsBase: 4 },
      { domain: 'sector=private', code: 'authority', groups: 0, groupsBase: 1, segments: 0, segmentsBase: 1 },
      { domain: 'sector=public', code: 'authority', groups: 1, groupsBase: 2, segments: 2, segmentsBase: 3 },
    ]);
  });

  it('counts a segment without a value of the attribute in the whole set only', () => {
    const rows = themeCounts([coded({ group: 'g', sector: 'public' }, 'authority'), coded({ group: 'h' }, 'authority'), coded({ group: 'i', sector: ' ' })], ['authority'], 'sector');
    expect(rows.map((r) => [r.domain, r.segments, r.segmentsBase])).toEqual([
      ['all', 2, 3],
      ['sector=public', 1, 1],
    ]);
  });

  it('gives only the whole set when no segment has the attribute named', () => {
    expect(themeCounts(data, ['authority'], 'tier').map((r) => r.domain)).toEqual(['all']);
  });

  it('counts a code listed twice for one segment once, and ignores codes outside the list', () => {
    const rows = themeCounts([coded({ group: 'g' }, 'authority', 'authority', 'not-reported')], ['authority']);
    expect(rows).toEqual([{ domain: 'all', code: 'authority', groups: 1, groupsBase: 1, segments: 1, segmentsBase: 1 }]);
  });

  it('gives zero bases, not an error, for no segments at all', () => {
    expect(themeCounts([], ['authority'], 'sector')).toEqual([{ domain: 'all', code: 'authority', groups: 0, groupsBase: 0, segments: 0, segmentsBase: 0 }]);
  });

  it('refuses a segment given twice, which would inflate every base', () => {
    const one = segment({ group: 'g' }, 'g#1');
    expect(() => themeCounts([{ segment: one, codes: ['a'] }, { segment: one, codes: ['b'] }], ['a', 'b'])).toThrow('segment g#1 is given twice');
  });
});

describe('counting codes that appear together', () => {
  it('gives every ordered pair of codes in code order, with the count of the first code on the diagonal and as the base', () => {
    expect(coOccurrence(data, ['all-levels', 'authority'])).toEqual([
      { a: 'all-levels', b: 'all-levels', segments: 3, base: 3 },
      { a: 'all-levels', b: 'authority', segments: 1, base: 3 },
      { a: 'authority', b: 'all-levels', segments: 1, base: 3 },
      { a: 'authority', b: 'authority', segments: 3, base: 3 },
    ]);
  });

  it('gives a zero base for a code no segment has', () => {
    expect(coOccurrence(data, ['whole-systems', 'authority'])).toEqual([
      { a: 'whole-systems', b: 'whole-systems', segments: 0, base: 0 },
      { a: 'whole-systems', b: 'authority', segments: 0, base: 0 },
      { a: 'authority', b: 'whole-systems', segments: 0, base: 3 },
      { a: 'authority', b: 'authority', segments: 3, base: 3 },
    ]);
  });

  it('counts a code listed twice for one segment once', () => {
    expect(coOccurrence([coded({}, 'a', 'a', 'b')], ['a', 'b'])).toContainEqual({ a: 'a', b: 'b', segments: 1, base: 1 });
  });
});

describe('counting the themes of the demo study', () => {
  const folder = 'pipelines/transcripts/leading-together';
  const segments = readdirSync(folder)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .flatMap((name) => codableSegments(unwrap(parseTranscript(readFileSync(join(folder, name), 'utf8'), name), 'transcript')));
  const file = 'pipelines/coding/leading-together.csv';
  const coding = unwrap(readHumanCodingCsv(readFileSync(file, 'utf8'), file), 'coding');
  // The codes both coders applied: one coding a report could stand on.
  const agreed = (id: string) => {
    const byCoder = new Map<string, Set<string>>();
    for (const c of coding.codes.filter((c) => c.segmentId === id)) byCoder.set(c.coder, (byCoder.get(c.coder) ?? new Set()).add(c.code));
    const sets = [...byCoder.values()];
    return sets.length === 0 ? [] : [...sets[0]!].filter((code) => sets.every((set) => set.has(code)));
  };
  const demo: SegmentCoding[] = segments.map((s) => ({ segment: s, codes: agreed(s.id) }));
  const codes = ['all-levels', 'authority', 'whole-systems', 'collaborative', 'complexity'];

  it('never counts more groups or segments with a code than the domain has', () => {
    const rows = themeCounts(demo, codes, 'sector');
    expect(rows.length).toBeGreaterThan(codes.length);
    for (const row of rows) {
      expect(row.groups).toBeLessThanOrEqual(row.groupsBase);
      expect(row.segments).toBeLessThanOrEqual(row.segmentsBase);
      expect(row.groups).toBeLessThanOrEqual(row.segments);
    }
    const all = rows.filter((r) => r.domain === 'all');
    expect(all.every((r) => r.segmentsBase === segments.length && r.groupsBase === new Set(segments.map((s) => s.attributes.group)).size)).toBe(true);
  });

  it('gives domain bases that add up to the whole set when every segment has a sector', () => {
    const rows = themeCounts(demo, codes.slice(0, 1), 'sector');
    const parts = rows.filter((r) => r.domain !== 'all');
    expect(parts.reduce((sum, r) => sum + r.segmentsBase, 0)).toBe(rows[0]!.segmentsBase);
    expect(parts.reduce((sum, r) => sum + r.groupsBase, 0)).toBe(rows[0]!.groupsBase);
  });
});
