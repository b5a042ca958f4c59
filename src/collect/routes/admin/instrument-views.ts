/**
 * What the workspace's instrument pages show, as the templates take it: a version's pages as a
 * preview, the comparison of two versions, and the plain facts of versions and waves. Shared by
 * the instrument pages and publishing, which shows the same preview and comparison before a
 * version is published. Dates are written in UTC and ISO order, never in a locale's words.
 */
import { describeChange, type InstrumentDiff } from '../../../instrument/diff.ts';
import type { Instrument, Question } from '../../../instrument/schema.ts';
import type { WaveRow } from '../../../store/database.ts';
import type { VersionSummary } from '../../../store/instrument-history.ts';
import { availability } from '../../journey.ts';
import { questionView, type QuestionView } from '../../presenter.ts';
import { diffHref, versionHref, waveHref } from './addresses.ts';
import { STATE_TEXT } from './home.ts';

/** A moment as the workspace writes it: `2010-09-15 10:00 UTC`. */
export function whenText(value: Date | string): string {
  return `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The part of a content hash people compare by eye, as `tapestry publish` prints it. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

export interface PreviewPage {
  id: string;
  title: string;
  number: number;
  total: number;
  questions: { view: QuestionView; showIf: string | undefined }[];
}

/**
 * A question as the respondent's page shows it, with its ids prefixed: the preview's inputs
 * share a page with the workspace's own elements, and a question called `navigation` would
 * otherwise take the id of the service navigation.
 */
function previewQuestion(question: Question): QuestionView {
  const view = questionView(question);
  return {
    ...view,
    id: `preview-${view.id}`,
    ...(view.rows ? { rows: view.rows.map((row) => ({ ...row, field: `preview-${row.field}` })) } : {}),
  };
}

/** Every page of `instrument`, each question with the condition that decides whether it is asked. */
export function previewPages(instrument: Instrument): PreviewPage[] {
  return instrument.pages.map((page, index) => ({
    id: page.id,
    title: page.title,
    number: index + 1,
    total: instrument.pages.length,
    questions: page.questions.map((question) => ({ view: previewQuestion(question), showIf: question.show_if })),
  }));
}

export interface DiffView {
  caption: string;
  summary: string;
  rows: { id: string; text: string; comparable: boolean; changes: string[] }[];
}

/** The comparison of two versions, question by question, in the words `tapestry survey diff` uses. */
export function diffView(diff: InstrumentDiff, before: Instrument, after: Instrument): DiffView {
  const texts = new Map<string, string>();
  for (const instrument of [before, after]) for (const page of instrument.pages) for (const q of page.questions) texts.set(q.id, q.text);
  const changed = diff.questions.filter((q) => q.changes.length > 0).length;
  const unchanged = diff.questions.length - changed;
  const comparable = diff.questions.filter((q) => q.comparable).length;
  const questions = (n: number) => `${n} ${n === 1 ? 'question' : 'questions'}`;
  return {
    caption: `What changed from version ${diff.from.version} to version ${diff.to.version}`,
    summary: `${questions(changed)} changed, ${unchanged} unchanged; ${questions(comparable)} of ${diff.questions.length} can be compared across the two versions.`,
    rows: diff.questions.map((q) => ({ id: q.id, text: texts.get(q.id) ?? '', comparable: q.comparable, changes: q.changes.map(describeChange) })),
  };
}

/** The versions table: newest first, each with its preview and its comparison with the one before. */
export function versionRows(versions: readonly VersionSummary[]) {
  return versions
    .map((v, index) => {
      const previous = index > 0 ? versions[index - 1] : undefined;
      return {
        version: v.version,
        title: v.title,
        publishedAt: whenText(v.published_at),
        hash: shortHash(v.content_hash),
        href: versionHref(v.instrument_id, v.version),
        diff: previous ? { href: diffHref(v.instrument_id, previous.version, v.version), from: previous.version } : undefined,
      };
    })
    .reverse();
}

const ACCESS_TEXT = (wave: Pick<WaveRow, 'access' | 'listed'>) => (wave.access === 'invitation' ? 'by invitation only' : wave.listed ? 'open to anyone with the link' : 'open to anyone with the link, unlisted');

/** The waves table, with the same states as the workspace's home page. */
export function waveRows(waves: readonly WaveRow[], versions: readonly VersionSummary[], now: Date) {
  const versionOf = new Map(versions.map((v) => [v.id, v.version]));
  return waves.map((w) => ({
    name: w.name,
    href: waveHref(w.instrument_id, w.name),
    version: versionOf.get(w.instrument_version_id) ?? '',
    state: STATE_TEXT[availability(w, now)],
    access: ACCESS_TEXT(w),
    period: `from ${whenText(w.opens_at)}${w.closes_at === null ? ', no end set' : ` to ${whenText(w.closes_at)}`}`,
  }));
}
