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

export function parseInvitees(text: string, file: string, instrument: Instrument, requireEmail = false): ParsedInvitees {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy' });
  // A file of one column (just `email`, say) has no delimiter to detect: papaparse reports that,
  // and reads it correctly as one column all the same.
  const problems = parsed.errors.filter((e) => e.code !== 'UndetectableDelimiter').map((e) => `${file}:${(e.row ?? 0) + 2}: ${e.message}`);
  const columns = parsed.meta.fields ?? [];
  if (requireEmail && !columns.includes('email')) problems.push(`${file}:1: there is no \`email\` column, which sending needs`);
  parsed.data.forEach((row, index) => {
    const line = index + 2; // the header is line 1
    for (const problem of prefillAnswers(instrument, row).problems) problems.push(`${file}:${line}: ${problem.message}`);
    if (requireEmail && columns.includes('email')) {
      const email = (row.email ?? '').trim();
      if (email === '') problems.push(`${file}:${line}: column \`email\` is empty; sending needs an address for every invitee`);
      else if (!isEmailAddress(email)) problems.push(`${file}:${line}: column \`email\` has ${JSON.stringify(email)}, which is not an e-mail address`);
    }
  });
  if (parsed.data.length === 0) problems.push(`${file}: there are no invitees after the header`);
  const invitees = parsed.data.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== '')));
  return { invitees, columns, problems };
}
