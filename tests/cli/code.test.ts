import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementTable } from '../../src/coding/agreement.ts';
import { readHumanCodingCsv, unwrap } from '../../src/coding/csv-inputs.ts';
import { run } from '../../src/cli/main.ts';
import { CORPUS, HAVE_CORPUS, warnIfNoCorpus } from '../support/corpus.ts';
import { captureIo } from '../support/io.ts';

const root = join(import.meta.dirname, '..', '..');
const CODEBOOK = join(root, 'pipelines/codebooks/leading-together.yaml');
const DEMO_CODING = join(root, 'pipelines/coding/leading-together.csv');
warnIfNoCorpus('the evaluation on the 2010 review\'s quotes');
const TRANSCRIPTS = 'pipelines/transcripts/leading-together/*.txt';
// An export in the corpus's shape (quote_id,text,theme), for the column options.
const QUOTES = ['quote_id,text,theme', 'q1,Leadership happens at every level.,all-levels', 'q2,Workers need delegated authority.,authority', ''].join('\n');

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tapestry-code-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const tapestry = async (...args: string[]) => {
  const io = captureIo({ cwd: dir });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return name;
};

// Two examples of each theme, in the words a focus group might use; the text is made up for the tests.
const TRAINING = [
  'segment_id,text,code,sector',
  't1,Leadership happens at every level here and not only among senior managers.,all-levels,public',
  't2,Our director is visible and approachable and listens to front-line staff.,all-levels,voluntary',
  't3,Workers need delegated authority to make decisions and take measured risks.,authority,public',
  't3,Workers need delegated authority to make decisions and take measured risks.,all-levels,public',
  't4,A blame culture means nobody uses their own professional judgement.,authority,private',
  't5,Leadership development should be planned across the whole system with qualifications.,whole-systems,public',
  't6,Coaching and mentoring programmes develop leaders for the whole sector.,whole-systems,voluntary',
  't7,Partnership working with health and housing crosses organisational boundaries.,collaborative,public',
  't8,Joint working between agencies depends on trust between partners.,collaborative,private',
  't9,Budget cuts and inspection pressures make change hard to lead.,complexity,public',
  't10,Regulation and reduced funding create uncertainty for services.,complexity,voluntary',
  't11,The tea was cold.,,public',
  '',
].join('\n');

const SEGMENTS = [
  'segment_id,text,group',
  'n2,We fear blame so every decision is referred up to the manager.,fg-1',
  '"n,1",Working in partnership with the health board across boundaries.,fg-1',
  'n3,The funding cuts and the new regulation leave everyone uncertain.,fg-2',
  '',
].join('\n');

interface SuggestionRow {
  segment: string;
  code: string;
  confidence: number;
}

/** The rows of suggest's output, checking its shape on the way: header, LF endings, fixed decimals. */
function parseSuggestions(csv: string): SuggestionRow[] {
  expect(csv.endsWith('\n')).toBe(true);
  expect(csv).not.toContain('\r');
  const [header, ...lines] = csv.slice(0, -1).split('\n');
  expect(header).toBe('segment_id,code,confidence');
  return lines.map((line) => {
    const match = /^("(?:[^"]|"")*"|[^,]*),([a-z-]+),(\d\.\d{4})$/.exec(line);
    expect(match, line).not.toBeNull();
    const segment = match![1]!.startsWith('"') ? match![1]!.slice(1, -1).replace(/""/g, '"') : match![1]!;
    return { segment, code: match![2]!, confidence: Number(match![3]) };
  });
}

describe('tapestry code suggest', () => {
  it('writes a header and, for each segment in input order, up to three codes best first with fixed-format confidences', async () => {
    const training = write('training.csv', TRAINING);
    const segments = write('segments.csv', SEGMENTS);
    const { code, out, err } = await tapestry('code', 'suggest', '--codebook', CODEBOOK, '--training', training, '--segments', segments);
    expect(err).toBe('');
    expect(code).toBe(0);
    const rows = parseSuggestions(out);
    expect([...new Set(rows.map((r) => r.segment))]).toEqual(['n2', 'n,1', 'n3']);
    for (const id of ['n2', 'n,1', 'n3']) {
      const mine = rows.filter((r) => r.segment === id);
      expect(mine).toHaveLength(3);
      expect(new Set(mine.map((r) => r.code)).size).toBe(3);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.confidence).toBeLessThanOrEqual(mine[i - 1]!.confidence);
    }
    expect(rows.find((r) => r.segment === 'n2')!.code).toBe('authority');
    expect(rows.find((r) => r.segment === 'n,1')!.code).toBe('collaborative');
    expect(rows.find((r) => r.segment === 'n3')!.code).toBe('complexity');
  });

  it('gives exactly one row per segment with --limit 1', async () => {
    write('training.csv', TRAINING);
    write('segments.csv', SEGMENTS);
    const { code, out } = await tapestry('code', 'suggest', '--codebook', CODEBOOK, '--training', 'training.csv', '--segments', 'segments.csv', '--limit', '1');
    expect(code).toBe(0);
    expect(parseSuggestions(out).map((r) => r.segment)).toEqual(['n2', 'n,1', 'n3']);
  });

  it('writes the same bytes on every run, to standard output and to an --out file alike', async () => {
    write('training.csv', TRAINING);
    write('segments.csv', SEGMENTS);
    const args = ['code', 'suggest', '--codebook', CODEBOOK, '--training', 'training.csv', '--segments', 'segments.csv'];
    const first = await tapestry(...args);
    const second = await tapestry(...args);
    expect(second.out).toBe(first.out);
    const toFile = await tapestry(...args, '--out', 'out/suggestions.csv');
    expect(toFile.code).toBe(0);
    expect(toFile.out).toBe('');
    expect(readFileSync(join(dir, 'out/suggestions.csv'), 'utf8')).toBe(first.out);
    await tapestry(...args, '--out', 'out/suggestions.csv');
    expect(readFileSync(join(dir, 'out/suggestions.csv'), 'utf8')).toBe(first.out);
  });

  it('rejects a training file with a code the codebook lacks, at its line with the code meant, and writes nothing', async () => {
    write('misspelt.csv', TRAINING.replace('t9,Budget cuts and inspection pressures make change hard to lead.,complexity', 't9,Budget cuts and inspection pressures make change hard to lead.,complexty'));
    write('segments.csv', SEGMENTS);
    const { code, out, err } = await tapestry('code', 'suggest', '--codebook', CODEBOOK, '--training', 'misspelt.csv', '--segments', 'segments.csv', '--out', 'refused/suggestions.csv');
    expect(code).toBe(1);
    expect(err).toBe('tapestry: misspelt.csv:11: code `complexty` is not in the codebook `leading-together`; did you mean `complexity`?\n');
    expect(out).toBe('');
    expect(existsSync(join(dir, 'refused'))).toBe(false);
  });

  it('reports a training file that is not there at its line 1, without a stack trace', async () => {
    const { code, err } = await tapestry('code', 'suggest', '--codebook', CODEBOOK, '--training', 'missing.csv', '--segments', 'segments.csv');
    expect(code).toBe(1);
    expect(err).toBe('tapestry: missing.csv:1: cannot read the training file: there is no such file\n');
  });

  it('reports every problem of a bad segments file at its line', async () => {
    write('training.csv', TRAINING);
    write('bad-segments.csv', 'segment_id,text\ns1,fine\ns1,again\ns2,\n');
    const { code, err } = await tapestry('code', 'suggest', '--codebook', CODEBOOK, '--training', 'training.csv', '--segments', 'bad-segments.csv');
    expect(code).toBe(1);
    expect(err).toBe(
      'tapestry: bad-segments.csv:3: segment id `s1` is used twice (first on line 2); every segment needs its own id\nbad-segments.csv:4: segment `s2` has no text\n',
    );
  });

  it('refuses a limit that is not a whole number of 1 or more', async () => {
    const { code, err } = await tapestry('code', 'suggest', '--codebook', CODEBOOK, '--training', 'training.csv', '--segments', 'segments.csv', '--limit', '0');
    expect(code).toBe(1);
    expect(err).toBe('tapestry: --limit must be a whole number of 1 or more, not "0"\n');
  });
});

describe('tapestry code evaluate', () => {
  it('prints the cross-validated kappa, accuracy, baseline and a row for each code of the codebook', async () => {
    write('training.csv', TRAINING);
    const { code, out, err } = await tapestry('code', 'evaluate', '--codebook', CODEBOOK, '--training', 'training.csv', '--folds', '2');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^units +10$/m);
    expect(out).toMatch(/^folds +2$/m);
    expect(out).toMatch(/^Cohen's kappa +-?\d\.\d{3}$/m);
    expect(out).toMatch(/^accuracy +\d\.\d{3} \(\d+ of 10\)$/m);
    expect(out).toMatch(/^majority baseline +\d\.\d{3} \(always `[a-z-]+`: \d+ of 10, kappa 0\)$/m);
    expect(out).toMatch(/^mean confidence +\d\.\d{3}$/m);
    expect(out).toMatch(/^not scored +1 segment with no code \(t11\)$/m);
    expect(out).toMatch(/^code +support +precision +recall +F1$/m);
    for (const theme of ['all-levels', 'authority', 'whole-systems', 'collaborative', 'complexity']) {
      expect(out).toMatch(new RegExp(`^${theme} +\\d+ +\\d\\.\\d{3} +\\d\\.\\d{3} +\\d\\.\\d{3}$`, 'm'));
    }
  });

  it('refuses fewer than two folds, and more folds than there are coded segments', async () => {
    write('training.csv', TRAINING);
    const one = await tapestry('code', 'evaluate', '--codebook', CODEBOOK, '--training', 'training.csv', '--folds', '1');
    expect(one.code).toBe(1);
    expect(one.err).toBe('tapestry: --folds must be a whole number from 2 to 10 (the number of coded segments in training.csv), not "1"\n');
    const many = await tapestry('code', 'evaluate', '--codebook', CODEBOOK, '--training', 'training.csv', '--folds', '11');
    expect(many.code).toBe(1);
    expect(many.err).toContain('--folds must be a whole number from 2 to 10');
  });

  it('evaluates against a study’s own coded transcripts: the bundled demo coding, with the texts from its transcripts', async () => {
    const io = captureIo({ cwd: root });
    expect(await run(['code', 'evaluate', '--codebook', CODEBOOK, '--training', DEMO_CODING, '--transcripts', TRANSCRIPTS, '--json'], io)).toBe(0);
    expect(io.stderr()).toBe('');
    const report = JSON.parse(io.stdout()) as { units: number; kappa: number; uncoded: string[]; majority: { accuracy: number }; accuracy: number };
    // Every turn the coders saw is a unit, or is listed as having no code.
    const { coding } = readHumanCodingCsv(readFileSync(DEMO_CODING, 'utf8'), 'demo');
    const seen = new Set(coding!.seen.map((s) => s.segmentId));
    expect(report.units + report.uncoded.length).toBe(seen.size);
    expect(report.uncoded.length).toBeGreaterThan(0);
    expect(report.accuracy).toBeGreaterThan(report.majority.accuracy + 0.15);
    expect(report.kappa).toBeGreaterThan(0.3);
  });

  it('refuses a coding file that names a turn none of the transcripts has, at its line', async () => {
    const coding = join(dir, 'coding.csv');
    writeFileSync(coding, 'segment_id,coder,code\nfg-public-1#2,a,all-levels\nfg-nowhere#1,a,authority\n');
    const io = captureIo({ cwd: root });
    expect(await run(['code', 'evaluate', '--codebook', CODEBOOK, '--training', coding, '--transcripts', TRANSCRIPTS], io)).toBe(1);
    expect(io.stderr()).toMatch(/coding\.csv:3: segment fg-nowhere#1 is not a participant's turn in any of the transcripts\n$/);
    const none = captureIo({ cwd: root });
    expect(await run(['code', 'evaluate', '--codebook', CODEBOOK, '--training', coding, '--transcripts', 'nowhere/*.txt'], none)).toBe(1);
    expect(none.stderr()).toBe('tapestry: --transcripts: no file matches nowhere/*.txt\n');
  });

  it.skipIf(!HAVE_CORPUS)('reads another tool’s export through the column options and agrees with the review’s authors well beyond chance', async () => {
    const { code, out, err } = await tapestry('code', 'evaluate', '--codebook', CODEBOOK, '--training', CORPUS, '--id-column', 'quote_id', '--code-column', 'theme', '--json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out) as { units: number; folds: number; kappa: number; majority: { accuracy: number }; perCode: { code: string }[] };
    expect(report.units).toBe(37);
    expect(report.folds).toBe(5);
    expect(report.kappa).toBeGreaterThanOrEqual(0.5);
    expect(report.perCode.map((row) => row.code)).toEqual(['all-levels', 'authority', 'whole-systems', 'collaborative', 'complexity']);
  });

  it('names the column the file lacks when the column options do not fit it', async () => {
    const { code, err } = await tapestry('code', 'evaluate', '--codebook', CODEBOOK, '--training', write('quotes.csv', QUOTES));
    expect(code).toBe(1);
    expect(err).toMatch(/quotes\.csv:1: the header lacks the column `segment_id`/);
    expect(err).toMatch(/quotes\.csv:1: the header lacks the column `code`/);
  });

  it('refuses two roles for one column', async () => {
    const { code, err } = await tapestry('code', 'evaluate', '--codebook', CODEBOOK, '--training', write('quotes.csv', QUOTES), '--id-column', 'theme', '--code-column', 'theme');
    expect(code).toBe(1);
    expect(err).toBe('tapestry: --id-column and --code-column both name the column `theme`; each must be a column of its own\n');
  });

  it('reports a broken codebook at its line', async () => {
    write('training.csv', TRAINING);
    write('book.yaml', 'id: leading-together\ntitle: Themes\ncodes:\n  - id: all-levels\n    lable: Leadership at all levels\n');
    const { code, err } = await tapestry('code', 'evaluate', '--codebook', 'book.yaml', '--training', 'training.csv');
    expect(code).toBe(1);
    expect(err).toMatch(/^tapestry: book\.yaml:\d+: /);
    expect(err).toContain('`lable`');
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('tapestry code agree', () => {
  const demo = () => {
    const coding = unwrap(readHumanCodingCsv(readFileSync(DEMO_CODING, 'utf8'), 'demo.csv'), 'coding');
    const seen: Record<string, string[]> = {};
    for (const { segmentId, coder } of coding.seen) (seen[coder] ??= []).push(segmentId);
    return { coding, seen };
  };
  const fixed = (x: number | null) => (x === null ? '–' : x.toFixed(3));
  const percent = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);

  it('prints a row for each code in order of first appearance and one overall, with agreementTable’s numbers', async () => {
    const { code, out, err } = await tapestry('code', 'agree', DEMO_CODING);
    expect(err).toBe('');
    expect(code).toBe(0);
    const { coding, seen } = demo();
    const codes = [...new Set(coding.codes.map((c) => c.code))];
    const table = agreementTable(coding.codes, { codes, seen });
    expect(out).toMatch(/^coders +coder-a, coder-b$/m);
    expect(out).toMatch(/^segments +88$/m);
    const rows = out.split('\n').filter((line) => /^[a-z-]+ +\d+ +\d+ /.test(line)).map((line) => line.split(/ +/));
    expect(rows).toEqual([
      ...table.byCode.map((r) => [r.code, String(r.units), String(r.coders), percent(r.agreement), fixed(r.kappa), fixed(r.alpha)]),
      ['overall', String(table.overall.units), String(table.overall.coders), percent(table.overall.agreement), fixed(table.overall.kappa), fixed(table.overall.alpha)],
    ]);
    expect(rows.map((r) => r[0])).toEqual(['all-levels', 'authority', 'collaborative', 'whole-systems', 'complexity', 'overall']);
  });

  it('gives agreementTable’s numbers exactly as JSON, in the codebook’s order when one is named', async () => {
    const { code, out } = await tapestry('code', 'agree', DEMO_CODING, '--codebook', CODEBOOK, '--json');
    expect(code).toBe(0);
    const { coding, seen } = demo();
    const table = agreementTable(coding.codes, { codes: ['all-levels', 'authority', 'whole-systems', 'collaborative', 'complexity'], seen });
    const report = JSON.parse(out);
    expect(report.byCode).toEqual(table.byCode);
    expect(report.overall).toEqual(table.overall);
    expect(report.coders).toEqual(['coder-a', 'coder-b']);
    expect(report.segments).toBe(88);
  });

  it('counts a segment seen with no code as a judgement, unlike a segment never seen', async () => {
    write('seen.csv', 'segment_id,coder,code\ns1,ann,authority\ns1,bob,authority\ns2,ann,\ns2,bob,\ns3,ann,authority\n');
    const { code, out } = await tapestry('code', 'agree', 'seen.csv', '--json');
    expect(code).toBe(0);
    const row = JSON.parse(out).byCode[0];
    // s1 both present, s2 both absent; s3 has one coder only and cannot be paired.
    expect(row).toMatchObject({ code: 'authority', units: 2, coders: 2, agreement: 1, kappa: 1, alpha: 1 });
  });

  it('takes coders named like the properties every object has', async () => {
    write('odd-coders.csv', 'segment_id,coder,code\ns1,constructor,authority\ns1,__proto__,authority\ns2,constructor,\ns2,__proto__,\n');
    const { code, out } = await tapestry('code', 'agree', 'odd-coders.csv', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out).coders).toEqual(['constructor', '__proto__']);
    expect(JSON.parse(out).byCode[0]).toMatchObject({ code: 'authority', units: 2, agreement: 1 });
  });

  it('prints an undefined statistic as a dash and says why beneath the table', async () => {
    write('one-code.csv', 'segment_id,coder,code\ns1,ann,authority\ns1,bob,authority\ns2,ann,authority\ns2,bob,authority\n');
    const { code, out } = await tapestry('code', 'agree', 'one-code.csv');
    expect(code).toBe(0);
    expect(out).toMatch(/^authority +2 +2 +100\.0% +– +–$/m);
    expect(out).toContain('notes on values shown as –:\n');
    expect(out).toContain('  authority: kappa: both coders gave every unit the same category, so chance agreement is 1 and kappa is 0/0\n');
    expect(out).toContain('  authority: alpha: every pairable value is the same category, so the expected disagreement is 0 and alpha is 0/0\n');
  });

  it('rejects a code the named codebook lacks, at its line', async () => {
    write('unknown.csv', 'segment_id,coder,code\ns1,ann,authority\ns1,bob,autority\n');
    const { code, out, err } = await tapestry('code', 'agree', 'unknown.csv', '--codebook', CODEBOOK);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe('tapestry: unknown.csv:3: code `autority` is not in the codebook `leading-together`; did you mean `authority`?\n');
  });

  it('reports a malformed coding file at its lines', async () => {
    write('broken.csv', 'segment_id,coder,code,note\ns1,ann,authority,x\n');
    const { code, err } = await tapestry('code', 'agree', 'broken.csv');
    expect(code).toBe(1);
    expect(err).toBe('tapestry: broken.csv:1: the header has a column `note` that this file does not take (its columns are exactly segment_id, coder, code)\n');
  });
});
