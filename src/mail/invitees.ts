/**
 * An invitees file: a header row, then one invitee a row; columns that name questions prefill
 * them, and with `requireEmail` every row needs an address in an `email` column. Pure, so that
 * `tapestry invite`, the wave's invitations page and the API read a file the same way, and report
 * each problem at the line a spreadsheet shows it on.
 */
import Papa from 'papaparse';
import { prefillAnswers } from '../instrument/prefill.ts';
import type { Instrument } from '../instrument/schema.ts';
import { isEmailAddress } from './config.ts';

export interface ParsedInvitees {
  invitees: Record<string, string>[];
  /** The columns found, in the file's order. */
  columns: string[];
  /** `file:line: sentence`, none when the file can be used. */
  problems: string[];
}

/** How many line breaks the text has. */
const breaks = (text: string) => text.split('\n').length - 1;

export function parseInvitees(text: string, file: string, instrument: Instrument, requireEmail = false): ParsedInvitees {
  const source = text.replace(/^\uFEFF/, '');
  const problems: string[] = [];
  const rows: { line: number; row: Record<string, string> }[] = [];
  // Each row's line is counted from where papaparse's cursor stands after it, so that empty lines
  // skipped and answers written over several lines (quoted) still leave every row at the line a
  // text editor shows it on.
  let scanned = 0;
  let newlines = 0;
  let columns: string[] = [];
  Papa.parse<Record<string, string>>(source, {
    header: true,
    skipEmptyLines: 'greedy',
    step: (result) => {
      const cursor = result.meta.cursor;
      newlines += breaks(source.slice(scanned, cursor));
      scanned = cursor;
      const lastLine = newlines + 1 - (source[cursor - 1] === '\n' ? 1 : 0);
      const line = lastLine - Object.values(result.data).reduce((n, v) => n + (typeof v === 'string' ? breaks(v) : 0), 0);
      columns = result.meta.fields ?? columns;
      // A file of one column (just `email`, say) has no delimiter to detect: papaparse says so,
      // and reads it as one column all the same.
      for (const e of result.errors) if (e.code !== 'UndetectableDelimiter') problems.push(`${file}:${line}: ${e.message}`);
      rows.push({ line, row: result.data });
    },
  });
  // The header alone: no row told papaparse's steps what the columns are.
  if (rows.length === 0) columns = (Papa.parse<string[]>(source, { preview: 1 }).data[0] ?? []).filter((c) => c !== '');
  if (requireEmail && !columns.includes('email')) problems.push(`${file}:1: there is no \`email\` column, which sending needs`);
  for (const { line, row } of rows) {
    for (const problem of prefillAnswers(instrument, row).problems) problems.push(`${file}:${line}: ${problem.message}`);
    if (requireEmail && columns.includes('email')) {
      const email = (row.email ?? '').trim();
      if (email === '') problems.push(`${file}:${line}: column \`email\` is empty; sending needs an address for every invitee`);
      else if (!isEmailAddress(email)) problems.push(`${file}:${line}: column \`email\` has ${JSON.stringify(email)}, which is not an e-mail address`);
    }
  }
  if (rows.length === 0) problems.push(`${file}: there are no invitees after the header`);
  const invitees = rows.map(({ row }) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== '')));
  return { invitees, columns, problems };
}
