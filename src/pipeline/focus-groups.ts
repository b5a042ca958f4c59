/**
 * The qualitative stage of a pipeline: segments from transcripts and free-text answers, the codes
 * each one carries (human codes by the pipeline's consensus rule; automatic ones, marked `auto`,
 * only where no person coded), agreement between the human coders, theme tables in the tidy
 * layout, and quotes for each theme. Everything here is computed from what `loadFocusGroups`
 * read; nothing touches the disk.
 */
import { agreementTable } from '../coding/agreement.ts';
import { allCodes } from '../coding/codebook.ts';
import { trainCoder } from '../coding/classifier.ts';
import { selectQuotes, type QuoteCandidate } from '../coding/quotes.ts';
import { redactSegment } from '../coding/redact.ts';
import { coOccurrence, themeCounts, type SegmentCoding } from '../coding/themes.ts';
import { codableSegments } from '../coding/transcript.ts';
import type { Segment } from '../coding/types.ts';
import type { Instrument } from '../instrument/schema.ts';
import { questionsOf } from '../instrument/schema.ts';
import type { Cell, Labelled, Qualitative, TableResult, Theme } from '../report/model.ts';
import { csvText } from '../shared/csv.ts';
import type { Problem } from '../shared/yaml-source.ts';
import type { Dataset } from './dataset.ts';
import type { LoadedFocusGroups } from './focus-groups-load.ts';
import type { FocusGroups } from './schema.ts';

/** One segment with its codes and where they came from. */
export interface CodedSegment {
  segment: Segment;
  codes: string[];
  origin: 'human' | 'auto' | 'none';
  /** Per code: the share of its coders who applied it (human) or the model's confidence (auto). */
  strength: Map<string, number>;
}

export interface FocusGroupResult {
  coded: CodedSegment[];
  qualitative: Qualitative;
  /** `coding/segments.csv`: every segment's codes, each marked human or auto. */
  segmentsCsv: string;
}

/** Segments from free-text answers: one per non-empty answer, with the answer's sector and tier. */
export function freeTextSegments(spec: FocusGroups, inputs: Record<string, { dataset: Dataset; instrument: Instrument; simulated?: boolean }>): Segment[] {
  return spec.free_text.flatMap(({ input, question }) => {
    const { dataset, instrument, simulated } = inputs[input]!;
    const texts = dataset.texts.get(question) ?? [];
    const ids = dataset.texts.get('response_id') ?? [];
    const attributes = spec.by.filter((name) => dataset.codes.has(name) && questionsOf(instrument).some((q) => q.id === name));
    const segments: Segment[] = [];
    texts.forEach((text, i) => {
      if (text.trim() === '') return;
      // Answers are not groups: they carry no `group`, so group counts are of transcripts alone.
      const own: Record<string, string> = { method: 'survey free text', source: 'survey', input, question, attribution: `${input.charAt(0).toUpperCase()}${input.slice(1).replace(/_/g, ' ')} survey response` };
      if (simulated) own.simulated = 'true';
      for (const name of attributes) {
        const code = dataset.codes.get(name)![i]!;
        if (code >= 0) own[name] = dataset.levels.get(name)![code]!;
      }
      segments.push({ id: `${input}.${question}:${ids[i] ?? i + 1}`, text, attributes: own });
    });
    return segments;
  });
}

const TITLE_CASE: Record<string, string> = {
  public: 'Public sector',
  private: 'Private sector',
  voluntary: 'Voluntary sector',
  'people-using-services': 'People who use services and carers',
  unknown: 'Sector not known',
};

/** How a value of a segment attribute reads in a table: known sectors by name, others as written. */
function valueLabel(attribute: string, value: string): string {
  if (attribute === 'sector' && TITLE_CASE[value]) return TITLE_CASE[value]!;
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function attributeLabel(attribute: string): string {
  return attribute === 'method' ? 'Method' : valueLabel('', attribute.replace(/_/g, ' '));
}

/** Decides each segment's codes: human ones where people coded it, else automatic ones if asked. */
function decideCodes(spec: FocusGroups, loaded: LoadedFocusGroups, segments: Segment[]): CodedSegment[] {
  const byCoder = new Map<string, Map<string, Set<string>>>();
  for (const { segmentId, coder } of loaded.coding?.seen ?? []) {
    if (!byCoder.has(segmentId)) byCoder.set(segmentId, new Map());
    if (!byCoder.get(segmentId)!.has(coder)) byCoder.get(segmentId)!.set(coder, new Set());
  }
  for (const { segmentId, coder, code } of loaded.coding?.codes ?? []) if (code !== '') byCoder.get(segmentId)!.get(coder)!.add(code);

  const order = allCodes(loaded.codebook).map((c) => c.id);
  const coded: CodedSegment[] = segments.map((segment) => {
    const coders = byCoder.get(segment.id);
    if (!coders) return { segment, codes: [], origin: 'none', strength: new Map() };
    const strength = new Map<string, number>();
    for (const code of order) {
      const applied = [...coders.values()].filter((set) => set.has(code)).length;
      if (applied > 0) strength.set(code, applied / coders.size);
    }
    const codes = order.filter((code) => (spec.consensus === 'all' ? strength.get(code) === 1 : strength.has(code)));
    return { segment, codes, origin: 'human', strength };
  });

  if (spec.auto) {
    const training = coded.filter((c) => c.origin === 'human' && c.codes.length > 0).map((c) => ({ id: c.segment.id, text: c.segment.text, codes: c.codes }));
    const model = trainCoder(loaded.codebook, training);
    for (const entry of coded) {
      if (entry.origin !== 'none') continue;
      const kept = model.suggest(entry.segment.text, entry.segment.id).filter((s) => s.confidence >= spec.min_confidence);
      entry.origin = 'auto';
      entry.codes = kept.map((s) => s.code);
      for (const s of kept) entry.strength.set(s.code, s.confidence);
    }
  }
  return coded;
}

function share(count: number, base: number): number | null {
  return base === 0 ? null : count / base;
}

const COUNT_NOTE = 'Percentages of the base; bases (n) are counts of coded segments or of groups, not respondents. Theme counts describe the material, not a sample: they carry no confidence intervals.';

function countsTable(id: string, title: string, question: string, allLabel: string, codes: Labelled[], by: string, values: string[], rows: { domain: string; code: string; count: number; base: number }[]): TableResult {
  const cells: Cell[] = rows.map((row) => {
    const estimate = share(row.count, row.base);
    return { table: id, domain: row.domain, category: row.code, base_n: row.base, cell_n: row.count, estimate, se: null, ci_low: null, ci_high: null, deff: null, suppressed: '' };
  });
  return {
    id,
    title,
    input: 'focus_groups',
    // Several themes can share a segment, so the categories do not add up to the base: for the
    // disclosure grid and the charts that is a multiple-response question.
    measure: { question: 'theme', type: 'multiple', text: question },
    kind: 'proportion',
    categories: codes,
    by: [{ question: by, text: attributeLabel(by), levels: values.map((value) => ({ id: value, label: valueLabel(by, value) })) }],
    ci: 'logit',
    cells,
    tests: [],
    note: COUNT_NOTE,
    allLabel,
  };
}

export function themeTables(spec: FocusGroups, loaded: LoadedFocusGroups, coded: CodedSegment[]): TableResult[] {
  const codes = allCodes(loaded.codebook).map((c) => ({ id: c.id, label: c.label }));
  const ids = codes.map((c) => c.id);
  const input: SegmentCoding[] = coded.filter((c) => c.origin !== 'none').map((c) => ({ segment: c.segment, codes: c.codes }));
  const tables: TableResult[] = [];
  // Groups are the transcripts' groups; free-text answers count as segments only.
  const grouped = input.filter((c) => c.segment.attributes.group !== undefined);
  for (const by of spec.by) {
    const counts = themeCounts(input, ids, by);
    const groupCounts = new Map(themeCounts(grouped, ids, by).map((c) => [`${c.domain}\u0000${c.code}`, c]));
    const values = [...new Set(counts.map((c) => c.domain).filter((d) => d !== 'all').map((d) => d.slice(by.length + 1)))];
    if (values.length === 0) continue;
    tables.push(
      countsTable(`theme-segments-by-${by}`, `Themes in the coded segments, by ${attributeLabel(by).toLowerCase()}`, 'Share of coded segments with each theme', 'All coded segments', codes, by, values, counts.map((c) => ({ domain: c.domain, code: c.code, count: c.segments, base: c.segmentsBase }))),
      countsTable(`theme-groups-by-${by}`, `Groups in which each theme came up, by ${attributeLabel(by).toLowerCase()}`, 'Share of groups (focus groups, interviews, consultations) in which each theme was coded at least once', 'All groups', codes, by, values, counts.map((c) => {
        const g = groupCounts.get(`${c.domain}\u0000${c.code}`);
        return { domain: c.domain, code: c.code, count: g?.groups ?? 0, base: g?.groupsBase ?? 0 };
      })),
    );
  }
  const pairs = coOccurrence(input, ids);
  tables.push(
    countsTable('theme-co-occurrence', 'Themes coded together', 'Of the segments with the theme in the row, the share that also have the theme in the column', 'All coded segments', codes, 'theme', ids, pairs.map((p) => ({ domain: `theme=${p.a}`, code: p.b, count: p.segments, base: p.base }))),
  );
  // Co-occurrence rows are themes, labelled by the codebook.
  tables[tables.length - 1]!.by = [{ question: 'theme', text: 'Theme', levels: codes }];
  return tables;
}

/** Checks that every coded segment exists, so that a mistyped id is not silently left out. */
export function unknownSegments(loaded: LoadedFocusGroups, segments: Segment[], codingFile: string): Problem[] {
  const known = new Set(segments.map((s) => s.id));
  const facilitator = new Set(loaded.transcripts.flatMap((t) => t.segments.filter((s) => s.attributes.role === 'facilitator').map((s) => s.id)));
  // Every row counts, an empty code too: it says a coder read that segment.
  return (loaded.coding?.seen ?? [])
    .filter((c) => !known.has(c.segmentId))
    .map((c) => ({
      file: codingFile,
      line: c.line,
      message: facilitator.has(c.segmentId) ? `${c.segmentId} is a facilitator's turn, which is not coded` : `there is no segment ${c.segmentId} in the transcripts or free-text answers`,
    }));
}

/**
 * Every codable segment, with its attribute values redacted: they become table labels and CSV
 * cells (a `location` or a `speaker`), so a listed name must not survive in them either. The text
 * stays as it is for coding; quotes and exports redact it on the way out.
 */
export function allSegments(spec: FocusGroups, loaded: LoadedFocusGroups, inputs: Record<string, { dataset: Dataset; instrument: Instrument; simulated?: boolean }>): Segment[] {
  return [...loaded.transcripts.flatMap(codableSegments), ...loaded.exported, ...freeTextSegments(spec, inputs)].map((segment) => ({
    ...segment,
    attributes: Object.fromEntries(Object.entries(segment.attributes).map(([key, value]) => [key, loaded.redact(value)])),
  }));
}

/** `by` names that no segment has: a misspelt attribute would otherwise give empty tables. */
export function unknownAttributes(spec: FocusGroups, segments: Segment[]): { index: number; message: string }[] {
  const names = [...new Set(segments.flatMap((s) => Object.keys(s.attributes)))].sort();
  return spec.by.flatMap((name, index) =>
    segments.some((s) => s.attributes[name] !== undefined) ? [] : [{ index, message: `focus_groups.by names \`${name}\`, which no segment has (they have: ${names.join(', ')})` }],
  );
}

/** Text typed by respondents and speakers may look like a spreadsheet formula: the CSV writer guards it. */
function segmentsCsv(coded: CodedSegment[], spec: FocusGroups, redact: (text: string) => string): string {
  const attributes = ['group', ...spec.by.filter((b) => b !== 'group')];
  const header = ['segment_id', ...attributes, 'code', 'origin', 'strength', 'text'];
  const rows: string[][] = [];
  for (const entry of coded) {
    const text = redactSegment(entry.segment, redact).text;
    const own = attributes.map((a) => entry.segment.attributes[a] ?? '');
    const codes = entry.codes.length > 0 ? entry.codes : [''];
    for (const code of codes) {
      const strength = code === '' ? '' : entry.strength.get(code)!.toFixed(4);
      rows.push([entry.segment.id, ...own, code, entry.origin, strength, text]);
    }
  }
  return csvText(header, rows, { numeric: ['strength'] });
}

/** The qualitative part of the report, before disclosure control of its tables. */
export function focusGroupReport(spec: FocusGroups, loaded: LoadedFocusGroups, segments: Segment[]): FocusGroupResult {
  const coded = decideCodes(spec, loaded, segments);
  const codes = allCodes(loaded.codebook);
  const ids = codes.map((c) => c.id);

  const coding = loaded.coding;
  // No prototype: a coder may be called `constructor` or `__proto__`.
  const seen: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const { segmentId, coder } of coding?.seen ?? []) (seen[coder] ??= []).push(segmentId);
  const coders = Object.keys(seen);
  const agreement =
    coding && coders.length >= 2
      ? (() => {
          const table = agreementTable(
            coding.codes.filter((c) => c.code !== '').map(({ segmentId, coder, code }) => ({ segmentId, coder, code })),
            { codes: ids, units: [...new Set(coding.seen.map((s) => s.segmentId))], coders, seen },
          );
          const label = new Map(codes.map((c) => [c.id, c.label]));
          return [
            ...table.byCode.map((row) => ({ code: row.code, label: label.get(row.code)!, units: row.units, agreement: row.agreement, kappa: row.kappa, alpha: row.alpha })),
            { code: 'all', label: 'All themes', units: table.overall.units, agreement: table.overall.agreement, kappa: table.overall.kappa, alpha: table.overall.alpha },
          ];
        })()
      : [];

  const candidates: QuoteCandidate[] = coded.flatMap((entry) => entry.codes.map((code) => ({ segment: entry.segment, code, strength: entry.strength.get(code)! })));
  const quotes = selectQuotes(candidates, { codes: ids, perTheme: spec.quotes.per_theme, maxWords: spec.quotes.max_words, redact: loaded.redact, by: spec.by[0] ?? 'sector' });
  const origin = new Map(coded.map((c) => [c.segment.id, c.origin]));

  const themes: Theme[] = codes.map((code) => ({
    id: code.id,
    label: code.label,
    definition: code.definition,
    counts: [],
    quotes: quotes
      .filter((q) => q.code === code.id)
      .map((q) => ({ text: q.text, attribution: q.attribution, segment: q.segmentId, origin: origin.get(q.segmentId) === 'auto' ? 'auto' : 'human' })),
  }));

  const human = coded.filter((c) => c.origin === 'human').length;
  const auto = coded.filter((c) => c.origin === 'auto').length;
  const groups = new Set(loaded.transcripts.map((t) => t.group)).size;
  const methods = [...new Set(loaded.transcripts.map((t) => t.method))].sort();
  const notes = [
    loaded.transcripts.length > 0
      ? `The material is ${loaded.transcripts.length} transcript${loaded.transcripts.length === 1 ? '' : 's'} from ${groups} group${groups === 1 ? '' : 's'} (${methods.join(', ')})${spec.free_text.length > 0 ? ', with free-text survey answers' : ''}: ${segments.length} segments (participants' turns and answers); facilitators' turns are kept for context and not coded.`
      : `The material is free-text survey answers: ${segments.length} segments.`,
    `People coded ${human} segment${human === 1 ? '' : 's'}${coders.length > 0 ? ` (${coders.length} coder${coders.length === 1 ? '' : 's'})` : ''}; a theme counts for a segment when ${spec.consensus === 'all' ? 'every coder who read it applied it' : 'any coder who read it applied it'}.`,
    spec.auto
      ? `${auto} segment${auto === 1 ? ' that no person coded was' : 's that no person coded were'} coded automatically (a classifier trained on the human codes and the codebook), keeping codes with confidence of at least ${spec.min_confidence}; they are marked “coded automatically” under their quotes.`
      : 'Only human codes are used.',
    ...(spec.redact ? ['Personal names on the study’s redaction list are replaced by [name] in every quote and export.'] : []),
  ];

  return {
    coded,
    qualitative: { title: loaded.codebook.title, notes, agreement, themes, tables: [] },
    segmentsCsv: segmentsCsv(coded, spec, loaded.redact),
  };
}

/** Fills each theme's counts from the first breakdown's published (disclosure-controlled) tables. */
export function themeCountsFromTables(qualitative: Qualitative, tables: TableResult[], by: string | undefined): void {
  if (!by) return;
  const segments = tables.find((t) => t.id === `theme-segments-by-${by}`);
  const groups = tables.find((t) => t.id === `theme-groups-by-${by}`);
  if (!segments || !groups) return;
  const levels = segments.by[0]!.levels;
  for (const theme of qualitative.themes) {
    theme.counts = ['all', ...levels.map((l) => `${by}=${l.id}`)].map((domain) => {
      const s = segments.cells.find((c) => c.domain === domain && c.category === theme.id)!;
      const g = groups.cells.find((c) => c.domain === domain && c.category === theme.id)!;
      const label = domain === 'all' ? 'All' : levels.find((l) => `${by}=${l.id}` === domain)!.label;
      return { domain, label, groups: g.cell_n, groupsBase: g.base_n, groupsSuppressed: g.suppressed, segments: s.cell_n, segmentsBase: s.base_n, segmentsSuppressed: s.suppressed };
    });
  }
}
