// Short labels: what a report's tables and charts call an option, a matrix row or a question when
// its wording is long. They are checked like every other field (at their line, by name), and they
// leave the content hash alone, so definitions published without them keep loading and matching.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInstrumentText } from '../../src/instrument/check.ts';
import { contentHash, loadInstrumentFile } from '../../src/instrument/load.ts';
import { Instrument, type MatrixQuestion, type SingleQuestion } from '../../src/instrument/schema.ts';

const root = join(import.meta.dirname, '..', '..');

/** An instrument whose three places for a short label are filled by `sector`, `options` and `rows`. */
function text({ question = '', publicOption = 'Public sector (for example a local authority)', rows = 'coaching: { label: Coaching from a qualified coach, short: Coaching }' } = {}): string {
  return [
    'id: demo', // 1
    'version: "1.0"', // 2
    'title: Demo', // 3
    'kind: individual', // 4
    'source: Made for this test.', // 5
    'pages:', // 6
    '  - id: about', // 7
    '    title: About', // 8
    '    questions:', // 9
    '      - id: sector', // 10
    '        type: single', // 11
    '        text: Which sector do you work in, as your main job?', // 12
    `        short: ${question || 'Sector'}`, // 13
    '        options:', // 14
    `          public: { label: ${publicOption}, short: Public }`, // 15
    '          private: Private sector', // 16
    '      - id: activities', // 17
    '        type: matrix', // 18
    '        text: Which have you taken part in?', // 19
    '        rows:', // 20
    `          ${rows}`, // 21
    '          mentoring: Mentoring', // 22
    '        options:', // 23
    '          no: No', // 24
    '          yes: Yes', // 25
    '',
  ].join('\n');
}

const problems = (source: string) => checkInstrumentText(source, 'demo.yaml').problems.map((p) => `${p.file}:${p.line}: ${p.message}`);

describe('short labels in an instrument file', () => {
  it('are read beside the label on options, on matrix rows written as a mapping, and on questions', () => {
    const { instrument, problems } = checkInstrumentText(text(), 'demo.yaml');
    expect(problems).toEqual([]);
    const [sector, activities] = instrument!.pages[0]!.questions as [SingleQuestion, MatrixQuestion];
    expect(sector.short).toBe('Sector');
    expect(sector.options).toEqual([
      { id: 'public', label: 'Public sector (for example a local authority)', short: 'Public' },
      { id: 'private', label: 'Private sector' },
    ]);
    // A row written as its label alone still is one; only the mapping gives a short label.
    expect(activities.rows).toEqual({ coaching: { label: 'Coaching from a qualified coach', short: 'Coaching' }, mentoring: { label: 'Mentoring' } });
  });

  it('are refused past 40 characters, at their line, naming the field and what it belongs to', () => {
    const long = 'Public sector bodies of every kind and size'; // 43 characters
    expect(problems(text({ question: long }))).toEqual([`demo.yaml:13: \`short\` of question \`sector\`: must be at most 40 characters, not 43`]);
    expect(problems(text({ rows: `coaching: { label: Coaching, short: ${long} }` }))).toEqual([`demo.yaml:21: \`short\` of row \`coaching\` of question \`activities\`: must be at most 40 characters, not 43`]);
    const option = text().replace('short: Public }', `short: ${long} }`);
    expect(problems(option)).toEqual([`demo.yaml:15: \`short\` of option \`public\` of question \`sector\`: must be at most 40 characters, not 43`]);
    // Exactly 40 is allowed.
    expect(problems(text({ question: 'x'.repeat(40) }))).toEqual([]);
  });

  it('are refused when empty, with a hint to leave the field out instead', () => {
    const hint = 'must not be empty; leave `short` out to use the full wording';
    expect(problems(text({ question: '"  "' }))).toEqual([`demo.yaml:13: \`short\` of question \`sector\`: ${hint}`]);
    expect(problems(text().replace('short: Public }', 'short: "" }'))).toEqual([`demo.yaml:15: \`short\` of option \`public\` of question \`sector\`: ${hint}`]);
    expect(problems(text({ rows: 'coaching: { label: Coaching, short: "" }' }))).toEqual([`demo.yaml:21: \`short\` of row \`coaching\` of question \`activities\`: ${hint}`]);
  });

  it('report a misspelt field of a row mapping and a row mapping without a label', () => {
    expect(problems(text({ rows: 'coaching: { label: Coaching, shrot: Coach }' }))).toEqual(['demo.yaml:21: row `coaching` of question `activities` has an unknown field `shrot`; did you mean `short`?']);
    expect(problems(text({ rows: 'coaching: { short: Coach }' }))).toEqual(['demo.yaml:21: row `coaching` of question `activities` has no label']);
  });
});

describe('instruments published before short labels', () => {
  it('load from their stored definition, with rows as plain labels and options as id: label objects', () => {
    const stored = JSON.parse(JSON.stringify(checkInstrumentText(text(), 'demo.yaml').instrument));
    const questions = stored.pages[0].questions;
    delete questions[0].short;
    questions[0].options = { public: 'Public sector', private: 'Private sector' };
    questions[1].rows = { coaching: 'Coaching', mentoring: 'Mentoring' };
    const loaded = Instrument.parse(stored);
    const [sector, activities] = loaded.pages[0]!.questions as [SingleQuestion, MatrixQuestion];
    expect(sector.short).toBeUndefined();
    expect(sector.options).toEqual([{ id: 'public', label: 'Public sector' }, { id: 'private', label: 'Private sector' }]);
    expect(activities.rows).toEqual({ coaching: { label: 'Coaching' }, mentoring: { label: 'Mentoring' } });
    // The stored form of today's parse reads back as itself.
    expect(Instrument.parse(JSON.parse(JSON.stringify(loaded)))).toEqual(loaded);
  });

  it('keep their content hash when short labels are added, and a changed label still changes it', () => {
    const withShorts = checkInstrumentText(text(), 'demo.yaml').instrument!;
    const without = checkInstrumentText(
      text({ question: 'Sector', rows: 'coaching: Coaching from a qualified coach' })
        .replace('        short: Sector\n', '')
        .replace('public: { label: Public sector (for example a local authority), short: Public }', 'public: Public sector (for example a local authority)'),
      'demo.yaml',
    ).instrument!;
    expect((without.pages[0]!.questions[0] as SingleQuestion).options[0]!.short).toBeUndefined();
    expect(contentHash(withShorts)).toBe(contentHash(without));
    const relabelled = checkInstrumentText(text({ rows: 'coaching: { label: Coaching from a peer, short: Coaching }' }), 'demo.yaml').instrument!;
    expect(contentHash(relabelled)).not.toBe(contentHash(withShorts));
  });

  it('include the bundled instruments, whose hashes are the ones recorded before they had short labels', async () => {
    // The content hashes the committed example report recorded before any short label was written.
    const individual = await loadInstrumentFile(join(root, 'surveys/leadership-individual.yaml'));
    const organisational = await loadInstrumentFile(join(root, 'surveys/leadership-organisational.yaml'));
    expect(readFileSync(join(root, 'surveys/leadership-individual.yaml'), 'utf8')).toContain('short: Front line');
    expect(individual.contentHash).toBe('476223e23da97cb02677c3e5cf718fcbb4829d36b8c48b8b8628379fa9e6fa8e');
    expect(organisational.contentHash).toBe('f2c45aa9809156dd99eb81c26c133d20e9b992e8ce3253fc77bf83bb00631e26');
  });
});
