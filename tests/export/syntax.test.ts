/**
 * The syntax files, run by the programs they are for: the `.sps` by GNU PSPP, whose `.sav` is then
 * read with R's haven; the `.R` by Rscript. Each test writes a CSV in the instrument's column
 * layout through tapestry's own CSV writer, with both missing codes put in from the skip logic,
 * and checks every label, missing value and value against the instrument and the answers.
 *
 * Stata is not installed here, so the `.do` file is compared with tests/fixtures/export/expected.do.
 * After a deliberate change to the do-file, regenerate it with
 *   UPDATE_EXPECTED=1 npx vitest run tests/export/syntax.test.ts
 * and read the diff before committing it.
 *
 * PSPP and R (with haven) come from Debian: `apt-get install pspp r-cran-haven` (.ci/run does).
 * Without them the program tests are skipped, and their names say why.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellsOf, type ResponseMeta } from '../../src/instrument/columns.ts';
import type { Answers } from '../../src/instrument/evaluate.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import type { Instrument } from '../../src/instrument/schema.ts';
import { visibility } from '../../src/instrument/visibility.ts';
import { MISSING_CODES, missingCell, type MissingReason } from '../../src/export/missing.ts';
import { rScript } from '../../src/export/r.ts';
import { spssSyntax } from '../../src/export/spss.ts';
import { stataSyntax } from '../../src/export/stata.ts';
import { SHORT_STRING, variablesOf, type Variable } from '../../src/export/variables.ts';
import { csvText, unguardCell } from '../../src/shared/csv.ts';

const FIXTURE = 'tests/fixtures/export/instrument.yaml';
const EXPECTED_DO = 'tests/fixtures/export/expected.do';

function installed(program: string, args: string[]): boolean {
  return spawnSync(program, args, { stdio: 'ignore' }).status === 0;
}
const hasPspp = installed('pspp', ['--version']);
const hasR = installed('Rscript', ['--version']);
const hasHaven = hasR && installed('Rscript', ['-e', 'library(haven)']);
const skipped = (what: string) => ` (skipped: ${what} is not installed; apt-get install pspp r-cran-haven)`;

/** One respondent: meta cells and answers as the survey stores them (hidden questions included). */
interface Respondent {
  meta: ResponseMeta;
  answers: Answers;
}

const RESPONDENTS: Respondent[] = [
  {
    // Sees every question and answers every one.
    meta: { responseId: 'r1', wave: '2026', instrumentVersion: '2.1', submittedAt: '2026-09-01T09:05:07.250Z' },
    answers: {
      sector: 'voluntary',
      tier: 'senior',
      band: '10',
      agree: '5',
      confidence: 'high',
      support: ['manager', 'mentor'],
      support_mentor: '2',
      activities: { coaching: 'took_part', action_learning_sets_with_peers_elsewhere: 'offered' },
      staff: 12,
      hours: 7.5,
      to: 'Ms "Díaz", director — Ünit 3',
      coaching_detail: '=Great coaching, +more',
    },
  },
  {
    // Front line, so `staff` is hidden; no mentor and no coaching hide two more; some left blank.
    meta: { responseId: 'r2', wave: '2026', instrumentVersion: '2.1', submittedAt: '2026-09-02T23:59:59.000Z' },
    answers: {
      sector: 'public',
      tier: 'front_line',
      band: '8',
      agree: '1',
      support: ['none'],
      support_mentor: '1', // answered before `support` changed; hidden now, so never stored
      activities: { coaching: 'never' },
      staff: 3,
    },
  },
  {
    // Answers almost nothing: `staff` is shown (tier unanswered is not front line) and blank.
    // A tiny number is written with an exponent, as JavaScript writes it.
    meta: { responseId: 'r3', wave: '2027', instrumentVersion: '2.1', submittedAt: '2027-01-31T00:00:00.000Z' },
    answers: { sector: 'private', hours: 4.014e-7, to: '@home' },
  },
];

type Cell = { kind: 'value'; text: string } | { kind: MissingReason };

/** What each respondent's cell of each variable holds, decided by the skip logic as the export does. */
function cellOf(variable: Variable, respondent: Respondent, instrument: Instrument): Cell {
  const { shown, answers } = visibility(instrument, respondent.answers);
  const text = cellsOf([variable.column], respondent.meta, answers)[0]!;
  if (variable.question === undefined) return { kind: 'value', text };
  if (!shown.has(variable.question.id)) return { kind: 'not_shown' };
  if (text === '') return { kind: 'not_answered' };
  return { kind: 'value', text };
}

function csvOf(instrument: Instrument, variables: readonly Variable[], respondents: readonly Respondent[]): string {
  const rows = respondents.map((respondent) =>
    variables.map((variable) => {
      const cell = cellOf(variable, respondent, instrument);
      return cell.kind === 'value' ? cell.text : missingCell(variable.storage, cell.kind);
    }),
  );
  const numeric = variables.filter((v) => v.storage === 'numeric').map((v) => v.column.name);
  return csvText(
    variables.map((v) => v.column.name),
    rows,
    { numeric },
  );
}

/** R code that prints one JSON object a line, `describe(name, x)` being R code giving its fields. */
const R_JSON = `
json <- function(x) {
  if (is.null(x)) return("null")
  if (inherits(x, "POSIXct")) x <- format(x, "%Y-%m-%dT%H:%M:%OS3Z", tz = "UTC")
  x <- as.character(x)
  paste0("[", paste(ifelse(is.na(x), "null", encodeString(enc2utf8(x), quote = '"')), collapse = ","), "]")
}
numbers <- function(x) {
  if (is.null(x)) return("null")
  x <- unclass(x)
  attributes(x) <- NULL
  paste0("[", paste(vapply(x, function(v) if (is.na(v)) "null" else format(v, digits = 15), ""), collapse = ","), "]")
}
line <- function(...) {
  fields <- list(...)
  cat("{", paste0('"', names(fields), '":', unlist(fields), collapse = ","), "}\\n", sep = "")
}
`;

let instrument: Instrument;
let variables: Variable[];
let dir: string;
let csvFile: string;
beforeAll(async () => {
  ({ instrument } = await loadInstrumentFile(FIXTURE));
  variables = variablesOf(instrument);
  dir = mkdtempSync(join(tmpdir(), 'tapestry-syntax-'));
  csvFile = join(dir, 'responses.csv');
  writeFileSync(csvFile, csvOf(instrument, variables, RESPONDENTS));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the test data', () => {
  it('holds both missing codes in numeric and in text columns, and a guarded text cell', () => {
    const text = readFileSync(csvFile, 'utf8');
    for (const code of Object.values(MISSING_CODES)) {
      expect(text).toContain(`,${code.numeric}`);
      expect(text).toContain(`,${code.string}`);
    }
    expect(text).toContain(`,"'=Great coaching, +more"`);
    expect(text).toContain(`,'@home`);
  });
});

describe('the syntax files are deterministic', () => {
  it('gives the same bytes for the same instrument and file names, in another process, time zone and locale', () => {
    const program = `
      import { loadInstrumentFile } from './src/instrument/load.ts';
      import { spssSyntax } from './src/export/spss.ts';
      import { stataSyntax } from './src/export/stata.ts';
      import { rScript } from './src/export/r.ts';
      const { instrument } = await loadInstrumentFile(${JSON.stringify(FIXTURE)});
      process.stdout.write(JSON.stringify([spssSyntax(instrument, 'a.csv', 'a.sav'), stataSyntax(instrument, 'a.csv'), rScript(instrument, 'a.csv')]));
    `;
    const elsewhere = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
    });
    const here = [spssSyntax(instrument, 'a.csv', 'a.sav'), stataSyntax(instrument, 'a.csv'), rScript(instrument, 'a.csv')];
    expect(JSON.parse(elsewhere)).toEqual(here);
  });
});

interface HavenVariable {
  name: string;
  label: string[];
  format: string[];
  values: (string | number | null)[];
  labels: (string | number)[] | null;
  label_names: string[] | null;
  na_values: (string | number)[] | null;
}

describe.skipIf(!hasPspp || !hasHaven)(`the SPSS syntax, run by PSPP and read back with haven${!hasPspp ? skipped('pspp') : !hasHaven ? skipped('R with haven') : ''}`, () => {
  let read: Map<string, HavenVariable>;
  let mrsets: string;
  beforeAll(() => {
    const sps = join(dir, 'responses.sps');
    const sav = join(dir, 'responses.sav');
    writeFileSync(sps, spssSyntax(instrument, csvFile, sav));
    const pspp = spawnSync('pspp', ['-O', 'format=txt', '-o', join(dir, 'pspp.txt'), sps], { encoding: 'utf8' });
    if (pspp.status !== 0 || !existsSync(sav)) throw new Error(`pspp failed on ${sps}:\n${pspp.stdout}${pspp.stderr}${readFileSync(join(dir, 'pspp.txt'), 'utf8')}`);
    const script = `${R_JSON}
library(haven)
d <- read_sav(${JSON.stringify(sav)}, user_na = TRUE)
for (n in names(d)) {
  x <- d[[n]]
  labels <- attr(x, "labels")
  line(name = encodeString(n, quote = '"'), label = json(attr(x, "label")), format = json(attr(x, "format.spss")),
       values = if (inherits(x, "POSIXct") || is.character(x)) json(if (is.character(x)) sub(" +$", "", x) else x) else numbers(x),
       labels = if (is.null(labels)) "null" else if (is.character(labels)) json(labels) else numbers(labels),
       label_names = if (is.null(labels)) "null" else json(names(labels)),
       na_values = if (is.null(attr(x, "na_values"))) "null" else if (is.character(attr(x, "na_values"))) json(sub(" +$", "", attr(x, "na_values"))) else numbers(attr(x, "na_values")))
}
`;
    const out = execFileSync('Rscript', ['-e', script], { encoding: 'utf8' });
    read = new Map(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as HavenVariable)
        .map((v) => [v.name, v]),
    );
    const display = join(dir, 'mrsets.sps');
    writeFileSync(display, `GET FILE=${JSON.stringify(sav)}.\nMRSETS /DISPLAY NAME=ALL.\n`);
    execFileSync('pspp', ['-O', 'format=txt', '-o', join(dir, 'mrsets.txt'), display]);
    mrsets = readFileSync(join(dir, 'mrsets.txt'), 'utf8');
  });

  it('saves every column, in layout order, under its variable name', () => {
    expect([...read.keys()]).toEqual(variables.map((v) => v.name));
  });

  it('gives every variable its label', () => {
    for (const v of variables) expect(read.get(v.name)!.label, v.name).toEqual([v.label]);
  });

  it('labels every option code and both missing codes, and declares the missing codes where haven can read them', () => {
    for (const v of variables) {
      const got = read.get(v.name)!;
      if (v.question === undefined) {
        expect(got.labels, v.name).toBeNull();
        continue;
      }
      const numeric = v.storage === 'numeric';
      const code = (c: string) => (numeric ? Number(c) : c);
      const expected = new Map<string | number, string>(v.values.map((value) => [code(value.code), value.label]));
      for (const m of Object.values(MISSING_CODES)) expected.set(numeric ? m.numeric : m.string, m.label);
      const labelled = new Map(got.labels!.map((value, i) => [typeof value === 'string' ? value.trimEnd() : value, got.label_names![i]!]));
      expect(labelled, v.name).toEqual(expected);
      const declared = numeric || v.width <= SHORT_STRING;
      expect(got.na_values, v.name).toEqual(declared ? Object.values(MISSING_CODES).map((m) => (numeric ? m.numeric : m.string)) : null);
    }
  });

  it('reads every value as the CSV holds it, with the missing codes where the skip logic put them', () => {
    for (const v of variables) {
      const got = read.get(v.name)!.values;
      const expected = RESPONDENTS.map((r) => {
        const cell = cellOf(v, r, instrument);
        if (cell.kind !== 'value') return v.storage === 'numeric' ? MISSING_CODES[cell.kind].numeric : MISSING_CODES[cell.kind].string;
        if (v.storage === 'numeric') return Number(cell.text);
        return v.question === undefined ? cell.text : unguardCell(cell.text);
      });
      expect(got, v.name).toEqual(expected);
    }
  });

  it('stores numeric codes as numbers, letter codes and text as strings wide enough, and the submission time as a date-time', () => {
    for (const v of variables) {
      const format = read.get(v.name)!.format[0]!;
      if (v.storage === 'string') expect(format, v.name).toBe(`A${v.width}`);
      else if (v.storage === 'datetime') expect(format, v.name).toMatch(/^DATETIME/);
      else expect(format, v.name).toMatch(/^F/);
    }
    expect(variables.find((v) => v.name === 'band')!.storage).toBe('numeric');
    expect(variables.find((v) => v.name === 'tier')!.storage).toBe('string');
  });

  it('declares the multiple-choice question as a multiple-response set of its 1/0 variables', () => {
    const rows = mrsets.split('\n').filter((l) => l.startsWith('|') && !l.includes('Name') && !l.includes('Counted'));
    const cells = rows.map((l) => l.split('|').map((c) => c.trim()));
    expect(cells[0]!.slice(1, 2)).toEqual(['$support']);
    expect(cells[0]![3]).toBe('Dichotomies');
    expect(cells[0]![4]).toBe('1');
    const members = cells.map((c) => c[5]).filter((c) => c !== '');
    expect(members).toEqual(variables.filter((x) => x.question?.type === 'multiple').map((v) => v.name));
  });
});

interface RVariable {
  name: string;
  class: string[];
  label: string[];
  levels: string[] | null;
  values: (string | number | null)[];
  missing: (string | null)[] | null;
}

describe.skipIf(!hasR)(`the R script, run by Rscript${hasR ? '' : skipped('Rscript')}`, () => {
  let read: Map<string, RVariable>;
  const lineBreak: Respondent = {
    meta: { responseId: 'r4', wave: '2027', instrumentVersion: '2.1', submittedAt: '2027-02-01T12:00:00.000Z' },
    answers: { sector: 'public', tier: 'senior', activities: { coaching: 'took_part' }, coaching_detail: 'Two lines:\n=SUM(A1)\nend' },
  };
  const respondents = [...RESPONDENTS, lineBreak];
  beforeAll(() => {
    const csv = join(dir, 'with-line-breaks.csv');
    writeFileSync(csv, csvOf(instrument, variables, respondents));
    const script = join(dir, 'responses.R');
    writeFileSync(script, rScript(instrument, csv));
    const out = execFileSync(
      'Rscript',
      [
        '-e',
        `${R_JSON}
source(${JSON.stringify(script)})
for (n in names(responses)) {
  x <- responses[[n]]
  line(name = encodeString(n, quote = '"'), class = json(class(x)), label = json(attr(x, "label")),
       levels = json(levels(x)), values = if (is.numeric(x)) numbers(x) else json(if (is.factor(x)) as.character(x) else x),
       missing = json(attr(x, "missing")))
}`,
      ],
      { encoding: 'utf8' },
    );
    read = new Map(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RVariable)
        .map((v) => [v.name, v]),
    );
  });

  it('names the data frame\'s columns as SPSS and Stata name them, in layout order', () => {
    expect([...read.keys()]).toEqual(variables.map((v) => v.name));
  });

  it('gives every column its label', () => {
    for (const v of variables) expect(read.get(v.name)!.label, v.name).toEqual([v.label]);
  });

  it('makes choice columns factors of the option labels in the instrument\'s order, ordered for scales', () => {
    for (const v of variables.filter((x) => x.values.length > 0 && x.question?.type !== 'multiple')) {
      const got = read.get(v.name)!;
      expect(got.levels, v.name).toEqual(v.values.map((value) => value.label));
      expect(got.class, v.name).toEqual(v.level === 'ordinal' ? ['ordered', 'factor'] : ['factor']);
    }
  });

  it('reads every value, turns both missing codes into NA and says in attr(x, "missing") which each was', () => {
    for (const v of variables) {
      const got = read.get(v.name)!;
      const cells = respondents.map((r) => cellOf(v, r, instrument));
      const expected = cells.map((cell) => {
        if (cell.kind !== 'value') return null;
        if (v.storage === 'datetime') return cell.text;
        if (v.values.length > 0 && v.question?.type !== 'multiple') return v.values.find((value) => value.code === cell.text)!.label;
        if (v.storage === 'numeric') return Number(cell.text);
        return v.question === undefined ? cell.text : unguardCell(cell.text);
      });
      expect(got.values, v.name).toEqual(expected);
      if (v.question === undefined) expect(got.missing, v.name).toBeNull();
      else expect(got.missing, v.name).toEqual(cells.map((cell) => (cell.kind === 'value' ? null : MISSING_CODES[cell.kind].label)));
    }
  });

  it('reads a text cell with line breaks whole, its formula guards taken off every line', () => {
    expect(read.get('coaching_detail')!.values.at(-1)).toBe('Two lines:\n=SUM(A1)\nend');
  });

  it('finds columns by their header, keeping extra columns after the layout, and names the columns a file lacks', () => {
    const csv = readFileSync(join(dir, 'with-line-breaks.csv'), 'utf8').split('\n');
    const extra = join(dir, 'extra.csv');
    writeFileSync(extra, csv.map((line, i) => (line === '' ? line : `${line},${i === 0 ? 'weight' : '1.5'}`)).join('\n'));
    const lacking = join(dir, 'lacking.csv');
    writeFileSync(lacking, `${variables.filter((v) => v.name !== 'hours').map((v) => v.column.name).join(',')}\n`);
    const run = (file: string) =>
      spawnSync('Rscript', ['-e', `source(${JSON.stringify(join(dir, 'script.R'))}); cat(names(responses), sep = ",")`], { encoding: 'utf8' });
    writeFileSync(join(dir, 'script.R'), rScript(instrument, extra));
    expect(run(extra).stdout).toBe([...variables.map((v) => v.name), 'weight'].join(','));
    writeFileSync(join(dir, 'script.R'), rScript(instrument, lacking));
    const refused = run(lacking);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(`${lacking} lacks the columns hours`);
  });
});

describe.skipIf(!hasPspp)(`the SPSS syntax of every bundled survey${hasPspp ? '' : skipped('pspp')}`, () => {
  it.each(['leadership-individual', 'leadership-organisational', 'capabilities-self-assessment'])('runs in PSPP without an error for %s', async (id) => {
    const { instrument: bundled } = await loadInstrumentFile(`surveys/${id}.yaml`);
    const bundledVariables = variablesOf(bundled);
    const csv = join(dir, `${id}.csv`);
    const blank: Respondent = { meta: RESPONDENTS[0]!.meta, answers: {} };
    writeFileSync(csv, csvOf(bundled, bundledVariables, [...RESPONDENTS, blank]));
    const sps = join(dir, `${id}.sps`);
    writeFileSync(sps, spssSyntax(bundled, csv, join(dir, `${id}.sav`)));
    const pspp = spawnSync('pspp', [sps], { encoding: 'utf8' });
    expect(`${pspp.stdout}${pspp.stderr}`).not.toMatch(/error|warning/i);
    expect(pspp.status).toBe(0);
  });
});

describe('the Stata do-file', () => {
  it('matches tests/fixtures/export/expected.do (UPDATE_EXPECTED=1 regenerates it)', () => {
    const written = stataSyntax(instrument, 'responses.csv');
    if (process.env.UPDATE_EXPECTED === '1') writeFileSync(EXPECTED_DO, written);
    expect(written).toBe(readFileSync(EXPECTED_DO, 'utf8'));
  });

  it('turns -99 and -98 into .a and .b on every numeric question column, and labels both', () => {
    const written = stataSyntax(instrument, 'responses.csv');
    const mvdecode = written.slice(written.indexOf('mvdecode'), written.indexOf(', mv(')).replace(/\/\/\/\n/g, ' ');
    for (const v of variables.filter((x) => x.storage === 'numeric' && x.question !== undefined)) {
      expect(mvdecode.split(/\s+/), v.name).toContain(v.name);
      expect(written, v.name).toContain(`label values ${v.name} ${v.name}`);
    }
    expect(written).toContain('mv(-99 = .a \\ -98 = .b)');
  });

  it('imports with UTF-8 and the header line as names, every text column as a string', () => {
    const written = stataSyntax(instrument, 'responses.csv');
    expect(written).toContain('encoding("utf-8") varnames(1)');
    const strings = written.match(/stringcols\(([0-9 ]+)\)/)![1]!.split(' ').map(Number);
    expect(strings).toEqual(variables.flatMap((v, i) => (v.storage === 'numeric' ? [] : [i + 1])));
  });
});
