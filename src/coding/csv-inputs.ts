/**
 * The CSV files of qualitative coding: segments to code, the codes people applied, and coded
 * examples to train automatic coding on. Each reader takes the file's text and name and returns
 * either everything in it or every problem found, each at the line a person sees in an editor
 * (a quoted cell may run over several lines, so a record's number is not its line).
 */
import { readTable, type Row, type Table } from '../shared/csv-table.ts';
import { suggestion } from '../shared/did-you-mean.ts';
import type { Problem } from '../shared/yaml-source.ts';
import { allCodes, type Codebook } from './codebook.ts';
import { code, sortProblems } from './problems.ts';
import type { HumanCode, Segment } from './types.ts';

export { CodingInputError, unwrap } from './problems.ts';

/** A human code with the line of the CSV that applied it. */
export interface LocatedHumanCode extends HumanCode {
  line: number;
}

export interface HumanCoding {
  /** Every code applied, in file order. */
  codes: LocatedHumanCode[];
  /**
   * Every segment each coder looked at, in order of first appearance, including those where no
   * code applied: without them a segment nobody coded and a segment found to need no code
   * would look the same.
   */
  seen: { segmentId: string; coder: string; line: number }[];
}

/**
 * A coded example for automatic coding: a segment and all the codes it has. It has every field
 * of the classifier's `TrainingSegment`, so it can be passed to `trainCoder` as it is.
 */
export interface CodedSegment extends Segment {
  /** In the order of the file's rows; empty when the segment was coded as having none. */
  codes: string[];
  /** The line of each code in `codes`, for messages about it. */
  codeLines: number[];
}

/** Problems for required columns the header lacks and, when `exact`, for any others it has. */
function columnProblems(table: Table, file: string, required: readonly string[], exact: boolean): Problem[] {
  const problems: Problem[] = [];
  const others = table.header.filter((name) => !required.includes(name));
  for (const name of required) {
    if (!table.header.includes(name)) {
      problems.push({ file, line: table.headerLine, message: `the header lacks the column ${code(name)} (the columns must include ${required.join(', ')})${suggestion(name, others)}` });
    }
  }
  if (exact) {
    for (const name of others) {
      if (name === '') continue;
      problems.push({ file, line: table.headerLine, message: `the header has a column ${code(name)} that this file does not take (its columns are exactly ${required.join(', ')})${suggestion(name, required)}` });
    }
  }
  return problems;
}

function cellsOf(table: Table, row: Row): Record<string, string> {
  return Object.fromEntries(table.header.map((name, i) => [name, row.cells[i]!]));
}

function noRows(table: Table, file: string, what: string): Problem[] {
  return table.rowCount === 0 ? [{ file, line: table.headerLine, message: `the file has a header but no ${what}` }] : [];
}

// ---------------------------------------------------------------------------------------------

/**
 * A CSV of segments to code: `segment_id` and `text`, and any other columns, which become each
 * segment's attributes (`sector`, `tier`, …).
 */
export function readSegmentsCsv(text: string, file: string): { segments?: Segment[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const table = readTable(text, file, 'segment_id, text and any attributes', problems);
  if (!table) return { problems };
  const missing = columnProblems(table, file, ['segment_id', 'text'], false);
  if (missing.length > 0) return { problems: sortProblems([...problems, ...missing]) };
  problems.push(...noRows(table, file, 'segments'));

  const segments: Segment[] = [];
  const firstLine = new Map<string, number>();
  for (const row of table.rows) {
    const { segment_id: rawId, text: segmentText, ...attributes } = cellsOf(table, row);
    const id = rawId!.trim();
    const at = (message: string) => problems.push({ file, line: row.line, message });
    if (id === '') at('the row has no `segment_id`');
    else if (firstLine.has(id)) at(`segment id ${code(id)} is used twice (first on line ${firstLine.get(id)}); every segment needs its own id`);
    else firstLine.set(id, row.line);
    if (segmentText!.trim() === '') at(id === '' ? 'the row has no text' : `segment ${code(id)} has no text`);
    segments.push({ id, text: segmentText!, attributes, source: { file, line: row.line } });
  }
  return problems.length > 0 ? { problems: sortProblems(problems) } : { segments, problems: [] };
}

/**
 * A CSV of codes people applied: exactly `segment_id,coder,code`, one row for each code a coder
 * applied to a segment. An empty `code` is allowed: it records that the coder saw the segment
 * and found that no code applies, which agreement must count as a judgement, unlike a segment the
 * coder never reached.
 */
export function readHumanCodingCsv(text: string, file: string): { coding?: HumanCoding; problems: Problem[] } {
  const problems: Problem[] = [];
  const table = readTable(text, file, 'segment_id, coder, code', problems);
  if (!table) return { problems };
  const wrong = columnProblems(table, file, ['segment_id', 'coder', 'code'], true);
  if (wrong.length > 0) return { problems: sortProblems([...problems, ...wrong]) };
  problems.push(...noRows(table, file, 'codes'));

  const codes: LocatedHumanCode[] = [];
  const seen: HumanCoding['seen'] = [];
  const rowLines = new Map<string, number>();
  const pairs = new Map<string, { noCode?: number; firstCode?: { code: string; line: number } }>();
  for (const row of table.rows) {
    const cells = cellsOf(table, row);
    const [segmentId, coder, applied] = [cells.segment_id!.trim(), cells.coder!.trim(), cells.code!.trim()];
    const at = (message: string) => problems.push({ file, line: row.line, message });
    if (segmentId === '') at('the row has no `segment_id`');
    if (coder === '') at('the row has no `coder`; say who applied the code');
    if (segmentId === '' || coder === '') continue;

    const rowKey = `${segmentId}\u0000${coder}\u0000${applied}`;
    const earlier = rowLines.get(rowKey);
    if (earlier !== undefined) {
      at(`this row repeats line ${earlier} (segment ${code(segmentId)}, coder ${code(coder)}, ${applied === '' ? 'no code' : `code ${code(applied)}`})`);
      continue;
    }
    rowLines.set(rowKey, row.line);

    const pairKey = `${segmentId}\u0000${coder}`;
    let pair = pairs.get(pairKey);
    if (!pair) {
      pair = {};
      pairs.set(pairKey, pair);
      seen.push({ segmentId, coder, line: row.line });
    }
    if (applied === '') pair.noCode = row.line;
    else {
      pair.firstCode ??= { code: applied, line: row.line };
      codes.push({ segmentId, coder, code: applied, line: row.line });
    }
    if (pair.noCode !== undefined && pair.firstCode) {
      const line = Math.max(pair.noCode, pair.firstCode.line);
      if (line === row.line) problems.push(contradiction(file, pair.noCode, pair.firstCode, segmentId, coder));
    }
  }
  return problems.length > 0 ? { problems: sortProblems(problems) } : { coding: { codes, seen }, problems: [] };
}

/** An empty code says no code applies, so it cannot stand beside a code for the same segment. */
function contradiction(file: string, noCode: number, first: { code: string; line: number }, segmentId: string, coder?: string): Problem {
  const by = coder === undefined ? '' : ` by coder ${code(coder)}`;
  return noCode > first.line
    ? { file, line: noCode, message: `segment ${code(segmentId)} is left with no code here${by}, but has code ${code(first.code)} on line ${first.line}; an empty code means that no code applies` }
    : { file, line: first.line, message: `segment ${code(segmentId)} has code ${code(first.code)} here${by}, but line ${noCode} leaves it with no code, which means that no code applies` };
}

/**
 * Which columns of a training CSV hold the segment id, the text and the code. Other tools export
 * coded material under their own names (`quote_id`, `theme`, …); naming the columns reads such a
 * file as it is, with every other column still kept as an attribute.
 */
export interface TrainingColumns {
  /** The segment id (default `segment_id`). */
  id?: string;
  /** The segment's text (default `text`). */
  text?: string;
  /** The code applied (default `code`). */
  code?: string;
}

/**
 * A CSV of coded examples for automatic coding: `segment_id,text,code` (or the columns `columns`
 * names), a segment on as many rows as it has codes, each row repeating its text. An empty `code`
 * marks a segment with no codes, an example of what none of them looks like. Other columns are
 * kept as attributes.
 */
export function readTrainingCsv(text: string, file: string, columns: TrainingColumns = {}): { segments?: CodedSegment[]; problems: Problem[] } {
  const names = { id: columns.id ?? 'segment_id', text: columns.text ?? 'text', code: columns.code ?? 'code' };
  // Two roles in one column would make every row contradict itself; that is the caller's mistake, not the file's.
  for (const [role, name] of Object.entries(names)) {
    if (name.trim() === '') throw new RangeError(`the ${role} column needs a name`);
  }
  if (new Set(Object.values(names)).size < 3) throw new RangeError(`the id, text and code columns must be three different columns, not ${Object.values(names).join(', ')}`);
  const required = [names.id, names.text, names.code];
  const problems: Problem[] = [];
  const table = readTable(text, file, required.join(', '), problems);
  if (!table) return { problems };
  const missing = columnProblems(table, file, required, false);
  if (missing.length > 0) return { problems: sortProblems([...problems, ...missing]) };
  problems.push(...noRows(table, file, 'examples'));

  const byId = new Map<string, CodedSegment & { noCode?: number }>();
  for (const row of table.rows) {
    const { [names.id]: rawId, [names.text]: segmentText, [names.code]: rawCode, ...attributes } = cellsOf(table, row);
    const [id, applied] = [rawId!.trim(), rawCode!.trim()];
    const at = (message: string) => problems.push({ file, line: row.line, message });
    if (id === '') {
      at(`the row has no ${code(names.id)}`);
      continue;
    }
    if (segmentText!.trim() === '') at(`segment ${code(id)} has no text`);
    let segment = byId.get(id);
    if (!segment) {
      segment = { id, text: segmentText!, attributes, source: { file, line: row.line }, codes: [], codeLines: [] };
      byId.set(id, segment);
    } else {
      const first = segment.source!.line;
      if (segmentText !== segment.text) at(`segment ${code(id)} has a different text here from line ${first}; each row of a segment repeats its text exactly`);
      for (const [name, value] of Object.entries(attributes)) {
        if (value !== segment.attributes[name]) at(`segment ${code(id)} has ${code(name)} ${code(value)} here but ${code(segment.attributes[name])} on line ${first}; a segment's columns are the same on each of its rows`);
      }
    }
    if (applied === '') {
      if (segment.noCode !== undefined) at(`this row repeats line ${segment.noCode} (segment ${code(id)} with no code)`);
      else if (segment.codes.length > 0) problems.push(contradiction(file, row.line, { code: segment.codes[0]!, line: segment.codeLines[0]! }, id));
      segment.noCode ??= row.line;
      continue;
    }
    const repeated = segment.codes.indexOf(applied);
    if (repeated >= 0) {
      at(`segment ${code(id)} has code ${code(applied)} twice (first on line ${segment.codeLines[repeated]})`);
      continue;
    }
    if (segment.noCode !== undefined && segment.codes.length === 0) problems.push(contradiction(file, segment.noCode, { code: applied, line: row.line }, id));
    segment.codes.push(applied);
    segment.codeLines.push(row.line);
  }
  if (problems.length > 0) return { problems: sortProblems(problems) };
  const segments = [...byId.values()].map(({ noCode: _, ...segment }) => segment);
  return { segments, problems: [] };
}

/** A code written at a line of a CSV file. */
export interface CodeAt {
  code: string;
  line: number;
}

/**
 * A problem for every code that the codebook does not have, at the line that uses it. Takes the
 * codes of `readHumanCodingCsv` or the segments of `readTrainingCsv`.
 */
export function checkCodesKnown(rows: readonly (CodeAt | CodedSegment)[], codebook: Codebook, file: string): Problem[] {
  const known = allCodes(codebook).map((c) => c.id);
  const ids = new Set(known);
  const uses: CodeAt[] = rows.flatMap((row) => ('codes' in row ? row.codes.map((c, i) => ({ code: c, line: row.codeLines[i]! })) : [row]));
  const problems: Problem[] = [];
  for (const use of uses) {
    if (use.code === '' || ids.has(use.code)) continue;
    problems.push({ file, line: use.line, message: `code ${code(use.code)} is not in the codebook ${code(codebook.id)}${suggestion(use.code, known)}` });
  }
  return sortProblems(problems);
}
