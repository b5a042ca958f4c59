/**
 * Who answered each survey: respondents counted unweighted by the questions the pipeline names
 * (sector, tier), beside the weighted estimates of the population's shares and, where the wave's
 * invitations were sent from the database, response rates. The 2010 review's main caveat was that
 * few private-sector staff answered; a weighted share alone hides that, so the counts come first.
 *
 * Pure: the dataset, design and invitation counts are read by the runner and passed in.
 */
import type { Design } from '../analysis/design.ts';
import { questionsOf, type Instrument } from '../instrument/schema.ts';
import { countText as count, percent as share } from '../report/format.ts';
import type { WhoAnsweredBreakdown, WhoAnsweredInput, WhoAnsweredLevel } from '../report/model.ts';
import type { Dataset } from './dataset.ts';
import { PipelineTable, type WhoAnswered } from './schema.ts';
import { computeTable, labelled } from './tables.ts';

/** Invitations counted by the answer an invitee's attribute gives a question; value null: none. */
export interface InvitedCounts {
  total: number;
  by: Record<string, { value: string | null; invited: number }[]>;
}

export interface WhoAnsweredSource {
  input: string;
  instrument: Instrument;
  dataset: Dataset;
  design: Design;
  /** The design's strata: a stratum's weighted share is its population's, known rather than estimated. */
  strata?: string;
  /** The wave's invitations, when the responses come from the database and invitations were sent. */
  invited?: InvitedCounts;
}

/** Half the width of a 95% interval, in points, for a percentage near 50% from n responses of a simple random sample. */
export function marginPoints(n: number): number {
  return Math.round((1.959964 * Math.sqrt(0.25 / n)) * 100);
}


function breakdown(source: WhoAnsweredSource, question: string, smallBase: number): WhoAnsweredBreakdown | undefined {
  const q = questionsOf(source.instrument).find((item) => item.id === question);
  if (!q || (q.type !== 'single' && q.type !== 'scale')) return undefined;
  const codes = source.dataset.codes.get(question);
  if (!codes) return undefined;
  const options = labelled(q.options);
  const counts = new Array<number>(options.length).fill(0);
  let unanswered = 0;
  for (const c of codes) {
    if (c < 0) unanswered++;
    else counts[c]!++;
  }
  const answered = source.dataset.n - unanswered;
  const table = computeTable(PipelineTable.parse({ id: `who-answered-${source.input}-${question}`, input: source.input, measure: question }), source.instrument, source.dataset, source.design);
  const invited = source.invited?.by[question];
  const invitedOf = (id: string | null) => invited?.filter((row) => row.value === id).reduce((sum, row) => sum + row.invited, 0) ?? null;
  const levels = options.map((option, k): WhoAnsweredLevel => {
    const cell = table.cells.find((c) => c.domain === 'all' && c.category === option.id)!;
    // Within a stratum the indicator of the stratum is constant, so with weights constant within
    // strata (N_h / n_h) its share has no variance: what is left is rounding error.
    const known = question === source.strata && cell.se !== null && cell.se < 1e-6;
    const respondents = counts[k]!;
    const sent = invitedOf(option.id);
    return {
      ...option,
      respondents,
      share: answered > 0 ? respondents / answered : null,
      weighted: cell.estimate,
      ci_low: known ? null : cell.ci_low,
      ci_high: known ? null : cell.ci_high,
      fixed: known,
      invited: sent,
      rate: sent !== null && sent > 0 ? respondents / sent : null,
      small: respondents < smallBase,
    };
  });
  return {
    question,
    text: q.text,
    ...(q.short === undefined ? {} : { short: q.short }),
    levels,
    unanswered,
    invitedElsewhere: invited ? invitedOf(null) : null,
  };
}

/** The caveat for one small group, from its figures: how few, how many were invited, how wide, how far weighted. */
function caveat(level: WhoAnsweredLevel): string {
  const name = level.short ?? level.label;
  const rate = level.rate !== null && level.invited !== null ? `, a response rate of ${share(level.rate)} of the ${count(level.invited)} invited` : '';
  const who = level.respondents === 1 ? '1 respondent' : `${count(level.respondents)} respondents`;
  if (level.respondents === 0) return `${name}: nobody answered${rate}, so the report has no estimate for this group.`;
  const lines = [`${name}: only ${who}${rate}. Estimates for this group rest on a small base: a percentage near 50% from ${who} has a 95% interval of about ±${marginPoints(level.respondents)} points.`];
  // Weighting a small group up to its population share makes each of its answers count for more.
  if (level.share !== null && level.weighted !== null && level.weighted > level.share * 1.5) {
    lines.push(`Weighting makes each of them count for more: they are ${share(level.share)} of those who answered, and ${share(level.weighted)} of the weighted estimates.`);
  }
  return lines.join(' ');
}

export function whoAnsweredInput(source: WhoAnsweredSource, title: string, spec: WhoAnswered): WhoAnsweredInput {
  const breakdowns = spec.by.map((q) => breakdown(source, q, spec.small_base)).filter((b): b is WhoAnsweredBreakdown => b !== undefined);
  const invited = source.invited && source.invited.total > 0 ? source.invited.total : null;
  const caveats = breakdowns.flatMap((b) => b.levels.filter((level) => level.small).map(caveat));
  if (source.dataset.n < spec.small_base) caveats.unshift(`Only ${count(source.dataset.n)} responded to this survey in all: every estimate from it rests on a small base.`);
  return {
    input: source.input,
    title,
    unit: source.instrument.kind === 'organisational' ? 'organisations' : 'people',
    respondents: source.dataset.n,
    invited,
    rate: invited !== null ? source.dataset.n / invited : null,
    breakdowns,
    caveats,
  };
}

/** The method note: what the section counts, how rates are worked out, and the caveat's rule. */
export function whoAnsweredNote(spec: WhoAnswered): string {
  return `“Who answered” counts respondents unweighted, beside the weighted estimate of each group’s share of the population (with its 95% interval; a share fixed by the design, as a stratum weighted to its population count is, has none). A response rate is a group’s respondents over the invitations sent from the database to people whose invitation places them in that group; respondents who came by an open link count as respondents but were not invited, and surveys read from a file have no rates. A group with fewer than ${count(spec.small_base)} respondents is named in a caveat with how wide its estimates are: a percentage near 50% from n responses has a 95% interval of about ±98/√n points in a simple random sample (±${marginPoints(spec.small_base)} points at ${count(spec.small_base)}), and wider where the design effect is over 1.`;
}
