/**
 * Responses to tests/fixtures/export/instrument.yaml for the export tests: every kind of cell, both
 * missing codes, text a spreadsheet would run, and a response still in progress.
 */
import type { ExportResponse } from '../../src/export/rows.ts';

export const EXPORT_FIXTURE = 'tests/fixtures/export/instrument.yaml';

/** Answers by respondent, as stored (a hidden question's answer included). */
export const EXPORT_ANSWERS: Record<string, unknown>[] = [
  {
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
    coaching_detail: '=HYPERLINK("http://example.com/x","click"), +more',
  },
  { sector: 'public', tier: 'front_line', band: '8', agree: '1', support: ['none'], support_mentor: '1', activities: { coaching: 'never' }, staff: 3 },
  { sector: 'private', hours: 4.014e-7, to: '@SUM(A1:A9)' },
  { sector: 'public', tier: 'first_line_manager', to: '-2+3' },
];

/** The responses as the export reads them; the last is still in progress. */
export function exportResponses(): ExportResponse[] {
  return EXPORT_ANSWERS.map((answers, i) => ({
    meta: {
      responseId: `r${i + 1}`,
      wave: '2026',
      instrumentVersion: '2.1',
      submittedAt: i === EXPORT_ANSWERS.length - 1 ? '' : `2026-09-0${i + 1}T09:05:07.250Z`,
    },
    answers,
  }));
}

/** The responses in pages of `size`, as the store's reader yields them. */
export async function* pagesOf(responses: readonly ExportResponse[], size = 2): AsyncGenerator<ExportResponse[]> {
  for (let i = 0; i < responses.length; i += size) yield responses.slice(i, i + size);
}
