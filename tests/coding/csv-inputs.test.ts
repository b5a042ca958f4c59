import { describe, expect, it } from 'vitest';
import type { Codebook } from '../../src/coding/codebook.ts';
import { checkCodesKnown, CodingInputError, readHumanCodingCsv, readSegmentsCsv, readTrainingCsv, unwrap } from '../../src/coding/csv-inputs.ts';
import { formatProblem, type Problem } from '../../src/shared/yaml-source.ts';

const lines = (result: { problems: Problem[] }) => result.problems.map(formatProblem);

describe('reading a segments CSV', () => {
  const FILE = 'segments.csv';

  it('reads each row as a segment, with the other columns as attributes and the line it starts on', () => {
    const segments = unwrap(readSegmentsCsv('segment_id,text,sector\ns1,We share the lead.,public\ns2,"Nobody asked us, really.",voluntary\n', FILE), 'segments');
    expect(segments).toEqual([
      { id: 's1', text: 'We share the lead.', attributes: { sector: 'public' }, source: { file: FILE, line: 2 } },
      { id: 's2', text: 'Nobody asked us, really.', attributes: { sector: 'voluntary' }, source: { file: FILE, line: 3 } },
    ]);
  });

  it('counts the lines of a quoted cell that runs over several lines, so later rows keep their real line', () => {
    const text = 'segment_id,text\ns1,"first line\nsecond line\n\nfourth line"\ns2,short\ns2,again\n';
    expect(lines(readSegmentsCsv(text, FILE))).toEqual([`${FILE}:7: segment id \`s2\` is used twice (first on line 6); every segment needs its own id`]);
  });

  it('reads Windows line endings and a byte-order mark, and keeps line breaks inside a cell as \\n', () => {
    const text = '\uFEFFsegment_id,text\r\ns1,"one\r\ntwo"\r\n\r\ns2,three\r\n';
    const segments = unwrap(readSegmentsCsv(text, FILE), 'segments');
    expect(segments.map((s) => [s.id, s.text, s.source!.line])).toEqual([
      ['s1', 'one\ntwo', 2],
      ['s2', 'three', 5],
    ]);
  });

  it('skips blank lines and keeps counting them', () => {
    const segments = unwrap(readSegmentsCsv('segment_id,text\n\n\ns1,hello\n', FILE), 'segments');
    expect(segments[0]!.source!.line).toBe(4);
  });

  it('reports an empty file at line 1', () => {
    expect(lines(readSegmentsCsv('', FILE))).toEqual([`${FILE}:1: the file is empty; it needs a header line naming its columns (segment_id, text and any attributes)`]);
    expect(lines(readSegmentsCsv('\uFEFF\r\n  \r\n', FILE))).toHaveLength(1);
  });

  it('reports a header without the needed columns and suggests the column that was meant', () => {
    expect(lines(readSegmentsCsv('segment-id,txt,sector\ns1,hello,public\n', FILE))).toEqual([
      `${FILE}:1: the header lacks the column \`segment_id\` (the columns must include segment_id, text); did you mean \`segment-id\`?`,
      `${FILE}:1: the header lacks the column \`text\` (the columns must include segment_id, text); did you mean \`txt\`?`,
    ]);
  });

  it('reports a header that names a column twice or leaves one unnamed', () => {
    expect(lines(readSegmentsCsv('segment_id,text,,text\ns1,a,b,c\n', FILE))).toEqual([
      `${FILE}:1: column 3 of the header has no name`,
      `${FILE}:1: the header names \`text\` twice (columns 2 and 4)`,
    ]);
  });

  it('reports a header with no rows under it', () => {
    expect(lines(readSegmentsCsv('segment_id,text\n', FILE))).toEqual([`${FILE}:1: the file has a header but no segments`]);
  });

  it('reports every bad row at its line: no id, no text, too many cells, and an unclosed quote', () => {
    const text = 'segment_id,text\n,no id here\ns2,"  "\ns3,one,two\ns4,"fine\nover two lines"\ns5,"never closed\ns6,lost\n';
    expect(lines(readSegmentsCsv(text, FILE))).toEqual([
      `${FILE}:2: the row has no \`segment_id\``,
      `${FILE}:3: segment \`s2\` has no text`,
      `${FILE}:4: the row has 3 cells but the header has 2 (a cell that contains a comma must be in double quotes)`,
      `${FILE}:7: a quoted cell that starts in this row is never closed; a \`"\` inside a quoted cell is written \`""\``,
    ]);
  });

  it('reports a row with too few cells and says that empty cells still need their commas', () => {
    expect(lines(readSegmentsCsv('segment_id,text,sector\ns1,hello\n', FILE))).toEqual([
      `${FILE}:2: the row has 2 cells but the header has 3 (every row needs a cell for each column, even an empty one)`,
    ]);
  });

  it('returns no segments at all when any row has a problem', () => {
    expect(readSegmentsCsv('segment_id,text\ns1,fine\ns2,\n', FILE).segments).toBeUndefined();
  });

  it('throws every problem as one error when the caller cannot go on without the segments', () => {
    const attempt = () => unwrap(readSegmentsCsv('segment_id,text\ns1,\ns1,x\n', FILE), 'segments');
    expect(attempt).toThrow(CodingInputError);
    try {
      attempt();
    } catch (error) {
      expect((error as CodingInputError).message).toBe(
        `${FILE}:2: segment \`s1\` has no text\n${FILE}:3: segment id \`s1\` is used twice (first on line 2); every segment needs its own id`,
      );
      expect((error as CodingInputError).problems).toHaveLength(2);
    }
  });
});

describe('reading a human coding CSV', () => {
  const FILE = 'coding/ann-bob.csv';

  it('reads one code a row and records every segment each coder saw, including those with no code', () => {
    const coding = unwrap(readHumanCodingCsv('segment_id,coder,code\ng1#2,ann,authority\ng1#2,ann,sharing\ng1#2,bob,authority\ng1#3,ann,\ng1#3,bob,sharing\n', FILE), 'coding');
    expect(coding.codes).toEqual([
      { segmentId: 'g1#2', coder: 'ann', code: 'authority', line: 2 },
      { segmentId: 'g1#2', coder: 'ann', code: 'sharing', line: 3 },
      { segmentId: 'g1#2', coder: 'bob', code: 'authority', line: 4 },
      { segmentId: 'g1#3', coder: 'bob', code: 'sharing', line: 6 },
    ]);
    expect(coding.seen).toEqual([
      { segmentId: 'g1#2', coder: 'ann', line: 2 },
      { segmentId: 'g1#2', coder: 'bob', line: 4 },
      { segmentId: 'g1#3', coder: 'ann', line: 5 },
      { segmentId: 'g1#3', coder: 'bob', line: 6 },
    ]);
  });

  it('takes the three columns in any order', () => {
    const coding = unwrap(readHumanCodingCsv('coder,code,segment_id\r\nann,authority,s1\r\n', FILE), 'coding');
    expect(coding.codes).toEqual([{ segmentId: 's1', coder: 'ann', code: 'authority', line: 2 }]);
  });

  it('reports a column other than segment_id, coder and code, and a missing one', () => {
    expect(lines(readHumanCodingCsv('segment_id,coders,code,note\ns1,ann,a,x\n', FILE))).toEqual([
      `${FILE}:1: the header lacks the column \`coder\` (the columns must include segment_id, coder, code); did you mean \`coders\`?`,
      `${FILE}:1: the header has a column \`coders\` that this file does not take (its columns are exactly segment_id, coder, code); did you mean \`coder\`?`,
      `${FILE}:1: the header has a column \`note\` that this file does not take (its columns are exactly segment_id, coder, code)`,
    ]);
  });

  it('reports a row repeated word for word at the second, naming the first', () => {
    expect(lines(readHumanCodingCsv('segment_id,coder,code\ns1,ann,a\ns2,ann,\ns1,ann,a\ns2,ann,\n', FILE))).toEqual([
      `${FILE}:4: this row repeats line 2 (segment \`s1\`, coder \`ann\`, code \`a\`)`,
      `${FILE}:5: this row repeats line 3 (segment \`s2\`, coder \`ann\`, no code)`,
    ]);
  });

  it('reports a coder who both applies a code to a segment and says no code applies to it', () => {
    expect(lines(readHumanCodingCsv('segment_id,coder,code\ns1,ann,\ns1,bob,a\ns1,ann,a\ns2,ann,b\ns2,ann,\n', FILE))).toEqual([
      `${FILE}:4: segment \`s1\` has code \`a\` here by coder \`ann\`, but line 2 leaves it with no code, which means that no code applies`,
      `${FILE}:6: segment \`s2\` is left with no code here by coder \`ann\`, but has code \`b\` on line 5; an empty code means that no code applies`,
    ]);
  });

  it('reports rows without a segment or a coder', () => {
    expect(lines(readHumanCodingCsv('segment_id,coder,code\n,ann,a\ns1, ,a\n', FILE))).toEqual([
      `${FILE}:2: the row has no \`segment_id\``,
      `${FILE}:3: the row has no \`coder\`; say who applied the code`,
    ]);
  });

  it('gives a quoted multi-line cell its own lines when counting later rows', () => {
    expect(lines(readHumanCodingCsv('segment_id,coder,code\n"s\n1",ann,a\ns2,,a\n', FILE))).toEqual([`${FILE}:4: the row has no \`coder\`; say who applied the code`]);
  });
});

describe('reading a training CSV for automatic coding', () => {
  const FILE = 'training.csv';

  it('gathers the codes of a segment from its rows, in order of first appearance, keeping other columns as attributes', () => {
    const text = 'segment_id,text,code,sector\ns1,"We lead together,\nall of us.",sharing,public\ns2,Nobody asked.,,private\ns1,"We lead together,\nall of us.",authority,public\n';
    expect(unwrap(readTrainingCsv(text, FILE), 'segments')).toEqual([
      { id: 's1', text: 'We lead together,\nall of us.', codes: ['sharing', 'authority'], codeLines: [2, 5], attributes: { sector: 'public' }, source: { file: FILE, line: 2 } },
      { id: 's2', text: 'Nobody asked.', codes: [], codeLines: [], attributes: { sector: 'private' }, source: { file: FILE, line: 4 } },
    ]);
  });

  it('reports a segment whose text or other columns differ between its rows, at the later row', () => {
    expect(lines(readTrainingCsv('segment_id,text,code,sector\ns1,Hello.,a,public\ns1,Hello!,b,private\n', FILE))).toEqual([
      `${FILE}:3: segment \`s1\` has a different text here from line 2; each row of a segment repeats its text exactly`,
      `${FILE}:3: segment \`s1\` has \`sector\` \`private\` here but \`public\` on line 2; a segment's columns are the same on each of its rows`,
    ]);
  });

  it('reports a code given twice to one segment, and a segment given both codes and no code', () => {
    expect(lines(readTrainingCsv('segment_id,text,code\ns1,x,a\ns1,x,a\ns2,y,\ns2,y,b\n', FILE))).toEqual([
      `${FILE}:3: segment \`s1\` has code \`a\` twice (first on line 2)`,
      `${FILE}:5: segment \`s2\` has code \`b\` here, but line 4 leaves it with no code, which means that no code applies`,
    ]);
  });

  it('reports a missing column and a row with no text', () => {
    expect(lines(readTrainingCsv('segment_id,text\ns1,x\n', FILE))).toEqual([
      `${FILE}:1: the header lacks the column \`code\` (the columns must include segment_id, text, code)`,
    ]);
    expect(lines(readTrainingCsv('segment_id,text,code\ns1,,a\n', FILE))).toEqual([`${FILE}:2: segment \`s1\` has no text`]);
  });
});

describe('reading a training CSV whose columns have other names', () => {
  const FILE = 'quotes.csv';
  const columns = { id: 'quote_id', code: 'theme' };

  it('reads the named columns as id, text and code, and keeps every other column as an attribute', () => {
    const text = 'quote_id,theme,sector,text\nq1,sharing,public,We lead together.\nq1,authority,public,We lead together.\nq2,,private,Nobody asked.\n';
    expect(unwrap(readTrainingCsv(text, FILE, columns), 'segments')).toEqual([
      { id: 'q1', text: 'We lead together.', codes: ['sharing', 'authority'], codeLines: [2, 3], attributes: { sector: 'public' }, source: { file: FILE, line: 2 } },
      { id: 'q2', text: 'Nobody asked.', codes: [], codeLines: [], attributes: { sector: 'private' }, source: { file: FILE, line: 4 } },
    ]);
  });

  it('keeps the default names as attributes when other columns are named', () => {
    const segments = unwrap(readTrainingCsv('quote_id,theme,code,text\nq1,sharing,X-17,Hello.\n', FILE, columns), 'segments');
    expect(segments[0]!.codes).toEqual(['sharing']);
    expect(segments[0]!.attributes).toEqual({ code: 'X-17' });
  });

  it('names the named columns in its messages', () => {
    expect(lines(readTrainingCsv('segment_id,text,code\ns1,x,a\n', FILE, columns))).toEqual([
      `${FILE}:1: the header lacks the column \`quote_id\` (the columns must include quote_id, text, theme)`,
      `${FILE}:1: the header lacks the column \`theme\` (the columns must include quote_id, text, theme)`,
    ]);
    expect(lines(readTrainingCsv('quote_id,theme,text\n,a,x\n', FILE, columns))).toEqual([`${FILE}:2: the row has no \`quote_id\``]);
    expect(lines(readTrainingCsv('', FILE, { text: 'body' }))).toEqual([
      `${FILE}:1: the file is empty; it needs a header line naming its columns (segment_id, body, code)`,
    ]);
  });

  it('reads a file with the usual names exactly as before when no columns are named', () => {
    const text = 'segment_id,text,code,sector\ns1,Hello.,a,public\n';
    expect(readTrainingCsv(text, FILE, {})).toEqual(readTrainingCsv(text, FILE));
  });

  it('refuses one column named for two roles, which is a mistake in the call and not in the file', () => {
    expect(() => readTrainingCsv('theme,text\nq1,x\n', FILE, { id: 'theme', code: 'theme' })).toThrow(RangeError);
    expect(() => readTrainingCsv('segment_id,text,code\ns1,x,a\n', FILE, { text: ' ' })).toThrow(RangeError);
  });
});

describe('checking codes against the codebook', () => {
  const code = (id: string, children: Codebook['codes'] = []) => ({ id, label: id, definition: '', include: [], exclude: [], examples: [], keywords: [], children });
  const book: Codebook = { id: 'leadership', title: 'Leadership', codes: [code('authority', [code('sharing')]), code('development')] };

  it('reports each code the codebook lacks at its line, with the code that was probably meant', () => {
    const coding = unwrap(readHumanCodingCsv('segment_id,coder,code\ns1,ann,sharing\ns1,bob,sharin\ns2,ann,\ns2,bob,weather\n', 'h.csv'), 'coding');
    expect(checkCodesKnown(coding.codes, book, 'h.csv').map(formatProblem)).toEqual([
      'h.csv:3: code `sharin` is not in the codebook `leadership`; did you mean `sharing`?',
      'h.csv:5: code `weather` is not in the codebook `leadership`',
    ]);
  });

  it('knows the children of codes as well as the codes at the top', () => {
    const coding = unwrap(readHumanCodingCsv('segment_id,coder,code\ns1,ann,sharing\ns1,ann,development\n', 'h.csv'), 'coding');
    expect(checkCodesKnown(coding.codes, book, 'h.csv')).toEqual([]);
  });

  it('checks the codes of training segments at the line of each code', () => {
    const segments = unwrap(readTrainingCsv('segment_id,text,code\ns1,"a\nb",authority\ns1,"a\nb",developement\n', 't.csv'), 'segments');
    expect(checkCodesKnown(segments, book, 't.csv').map(formatProblem)).toEqual(['t.csv:4: code `developement` is not in the codebook `leadership`; did you mean `development`?']);
  });
});
