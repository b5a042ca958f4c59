/**
 * "Who answered" as the renderers show it: one table per survey and question, its figures already
 * formatted, so report.html and report.md cannot drift apart. Numbers come from the model; this
 * only words them.
 */
import { countText, interval, percent } from './format.ts';
import type { KeyLine } from './labels.ts';
import type { WhoAnsweredInput } from './model.ts';

export interface WhoAnsweredRow {
  label: string;
  respondents: string;
  /** Set when the group is under the small-base rule, for a mark beside its count. */
  small: boolean;
  share: string;
  weighted: string;
  interval: string;
  invited: string;
  rate: string;
}

export interface WhoAnsweredTable {
  id: string;
  title: string;
  /** The column headed by the question (Sector, Tier). */
  byTitle: string;
  invitations: boolean;
  rows: WhoAnsweredRow[];
  total: WhoAnsweredRow;
  notes: string[];
  key: KeyLine[];
}

export interface WhoAnsweredView {
  anchor: string;
  title: string;
  summary: string;
  tables: WhoAnsweredTable[];
  caveats: string[];
}

/** The words that stand for "fixed by the design" in the weighted column. */
export const POPULATION_SHARE = '(population share)';

const SINGULAR = { people: 'person', organisations: 'organisation' } as const;

export function whoAnsweredViews(inputs: readonly WhoAnsweredInput[]): WhoAnsweredView[] {
  return inputs.map((input) => {
    const tables = input.breakdowns.map((b): WhoAnsweredTable => {
      const invitations = input.invited !== null && b.invitedElsewhere !== null;
      const answered = b.levels.reduce((sum, level) => sum + level.respondents, 0);
      const rows = b.levels.map(
        (level): WhoAnsweredRow => ({
          label: level.short ?? level.label,
          respondents: countText(level.respondents),
          small: level.small,
          share: percent(level.share),
          weighted: percent(level.weighted),
          interval: level.fixed ? POPULATION_SHARE : interval(level.ci_low, level.ci_high, 'proportion'),
          invited: invitations ? countText(level.invited ?? 0) : '',
          rate: invitations ? percent(level.rate) : '',
        }),
      );
      const invitedAll = invitations ? b.levels.reduce((sum, level) => sum + (level.invited ?? 0), 0) : 0;
      const total: WhoAnsweredRow = {
        label: 'All who answered it',
        respondents: countText(answered),
        small: false,
        share: answered > 0 ? percent(1) : '',
        weighted: answered > 0 ? percent(1) : '',
        interval: '',
        invited: invitations ? countText(invitedAll) : '',
        rate: invitations && invitedAll > 0 ? percent(answered / invitedAll) : '',
      };
      const notes: string[] = [];
      if (b.unanswered > 0) notes.push(`${countText(b.unanswered)} ${b.unanswered === 1 ? 'respondent' : 'respondents'} left the question unanswered and ${b.unanswered === 1 ? 'is' : 'are'} not counted here.`);
      if (invitations && (b.invitedElsewhere ?? 0) > 0) notes.push(`${countText(b.invitedElsewhere!)} invitations give no ${(b.short ?? b.question).toLowerCase()}, and are counted in the survey’s overall rate only.`);
      return {
        id: `${input.input}-${b.question}`,
        title: `Respondents by ${(b.short ?? b.question).toLowerCase()}`,
        byTitle: b.short ?? b.question.replace(/^./, (c) => c.toUpperCase()),
        invitations,
        rows,
        total,
        notes,
        key: b.levels.filter((level) => level.short !== undefined && level.short !== level.label).map((level) => ({ short: level.short!, label: level.label })),
      };
    });
    const invited = input.invited === null ? 'No invitations were sent from the database for it, so it has no response rates.' : `${countText(input.invited)} were invited: a response rate of ${percent(input.rate)}.`;
    return {
      anchor: `who-answered-${input.input}`,
      title: input.title,
      summary: `${countText(input.respondents)} ${input.respondents === 1 ? SINGULAR[input.unit] : input.unit} answered this survey. ${invited}`,
      tables,
      caveats: input.caveats,
    };
  });
}

/** What the columns of a "who answered" table are, in the order the renderers print them. */
export function whoAnsweredColumns(table: WhoAnsweredTable): string[] {
  return [table.byTitle, 'Respondents', 'Share of respondents', 'Weighted share (95% CI)', ...(table.invitations ? ['Invited', 'Response rate'] : [])];
}
