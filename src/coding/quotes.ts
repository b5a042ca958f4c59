/**
 * Choosing the quotes that illustrate each theme of a report, a few per theme and sector, as the
 * Leading Together report does: the clearest examples (those the coders agreed on, or the machine
 * was surest of), of a readable length, not saying the same thing twice, redacted, and attributed
 * in the report's style. Pure and deterministic: the same candidates in any order give the same
 * quotes.
 */
import { attributionOf } from './attribution.ts';
import { ALL_DOMAIN, compareText, domainName, domainValue } from './themes.ts';
import { stems } from './tokens.ts';
import type { Segment } from './types.ts';

export interface QuoteCandidate {
  segment: Segment;
  code: string;
  /**
   * How clearly the segment shows the code, 0..1: 1 for a code every human coder applied, less
   * for partial agreement, or an automatic code's confidence.
   */
  strength: number;
}

export interface QuoteOptions {
  /** The themes to quote, in report (codebook) order; others are ignored. Default: every code of the candidates, in code-unit order. */
  codes?: readonly string[];
  /** Quotes per theme and domain; default 2. */
  perTheme?: number;
  /** The attribute whose values each get their own quotes; default `sector`; `null` for one domain, `all`. */
  by?: string | null;
  /** Quotes shorter than this, in words, are too slight to stand alone; default 8. */
  minWords?: number;
  /** Quotes longer than this are shortened at a sentence boundary, or left out; default 60. */
  maxWords?: number;
  /** Among equally strong candidates, those nearest this length are preferred; default 25. */
  idealWords?: number;
  /** Applied to the text (and the attribution) before anything is measured or returned. */
  redact?: (text: string) => string;
  /** The largest Jaccard similarity of stemmed word sets allowed between two quotes of one theme; default 0.5. */
  similarity?: number;
}

export interface Quote {
  code: string;
  /** `<by>=<value>`, such as `sector=public`, or `all` when `by` is `null`. */
  domain: string;
  segmentId: string;
  /** Redacted; shortened quotes end in ` …`. */
  text: string;
  /** From `attributionOf`, redacted, without parentheses. */
  attribution: string;
  strength: number;
}

const DEFAULTS = { perTheme: 2, by: 'sector', minWords: 8, maxWords: 60, idealWords: 25, similarity: 0.5 };

/** What is known of a segment once it is redacted and measured; `text` is undefined when it cannot be quoted. */
interface Prepared {
  segment: Segment;
  text?: string;
  words: number;
  stems: Set<string>;
  attribution: string;
}

interface Ranked {
  prepared: Prepared;
  text: string;
  strength: number;
}

/**
 * Up to `perTheme` quotes for each theme and each value of `by` (values in code-unit order;
 * segments without a value are not quoted unless `by` is `null`), in theme order, then domain
 * order, then rank. A candidate is ranked by strength (strongest first), then by how near its
 * length is to `idealWords` (the shorter first when two are equally near), then by segment id in
 * code-unit order. Left out: facilitator turns (`role: facilitator`); texts under `minWords`;
 * texts over `maxWords` whose opening sentences cannot make a quote within both limits; a text
 * more similar than `similarity` to a quote already chosen for the same theme (earlier domains
 * choose first). A segment already quoted for an earlier theme is used again only when the
 * domain has too few other candidates to fill its places.
 *
 * The same segment and code given twice count once, at the greater strength. Throws a RangeError
 * for a strength outside 0..1 or an option out of range, and an Error when one segment id comes
 * with two different texts or attributes.
 */
export function selectQuotes(candidates: readonly QuoteCandidate[], options: QuoteOptions = {}): Quote[] {
  const settings = settle(options);
  const redact = options.redact ?? ((text: string) => text);
  const merged = mergeCandidates(candidates);
  const codes = options.codes ? [...new Set(options.codes)] : [...new Set(merged.map((c) => c.code))].sort(compareText);

  const preparedOf = new Map<string, Prepared>();
  const prepare = (segment: Segment) => {
    let prepared = preparedOf.get(segment.id);
    if (!prepared) {
      prepared = prepareSegment(segment, redact, settings);
      preparedOf.set(segment.id, prepared);
    }
    return prepared;
  };

  const by = settings.by;
  const domains = by === null ? [ALL_DOMAIN] : [...new Set(merged.flatMap((c) => domainValue(c.segment, by) ?? []))].sort(compareText);
  const domainOf = (segment: Segment): string | undefined => (by === null ? ALL_DOMAIN : domainValue(segment, by));

  const quotes: Quote[] = [];
  const usedByEarlierThemes = new Set<string>();
  for (const code of codes) {
    const chosenForTheme: Prepared[] = [];
    for (const domain of domains) {
      const ranked = merged
        .filter((c) => c.code === code && domainOf(c.segment) === domain)
        .flatMap((c): Ranked[] => {
          const prepared = prepare(c.segment);
          return prepared.text === undefined ? [] : [{ prepared, text: prepared.text, strength: c.strength }];
        })
        .sort((x, y) => compareRanked(x, y, settings.idealWords));
      const chosen = choose(ranked, chosenForTheme, usedByEarlierThemes, settings);
      for (const pick of chosen) {
        chosenForTheme.push(pick.prepared);
        quotes.push({
          code,
          domain: by === null ? ALL_DOMAIN : domainName(by, domain),
          segmentId: pick.prepared.segment.id,
          text: pick.text,
          attribution: pick.prepared.attribution,
          strength: pick.strength,
        });
      }
    }
    for (const prepared of chosenForTheme) usedByEarlierThemes.add(prepared.segment.id);
  }
  return quotes;
}

type Settings = Required<Omit<QuoteOptions, 'codes' | 'redact'>> & { by: string | null };

function settle(options: QuoteOptions): Settings {
  const settings: Settings = {
    perTheme: options.perTheme ?? DEFAULTS.perTheme,
    by: options.by === undefined ? DEFAULTS.by : options.by,
    minWords: options.minWords ?? DEFAULTS.minWords,
    maxWords: options.maxWords ?? DEFAULTS.maxWords,
    idealWords: options.idealWords ?? DEFAULTS.idealWords,
    similarity: options.similarity ?? DEFAULTS.similarity,
  };
  const { perTheme, minWords, maxWords, idealWords, similarity } = settings;
  if (!Number.isInteger(perTheme) || perTheme < 0) throw new RangeError(`perTheme must be a whole number of quotes, 0 or more; it is ${perTheme}`);
  if (!Number.isInteger(minWords) || minWords < 1) throw new RangeError(`minWords must be a whole number of words, 1 or more; it is ${minWords}`);
  if (!Number.isInteger(maxWords) || maxWords < minWords) throw new RangeError(`maxWords must be a whole number of words, at least minWords (${minWords}); it is ${maxWords}`);
  if (!Number.isFinite(idealWords)) throw new RangeError(`idealWords must be a number of words; it is ${idealWords}`);
  if (!(similarity >= 0 && similarity <= 1)) throw new RangeError(`similarity must be between 0 and 1; it is ${similarity}`);
  return settings;
}

/** One candidate per segment and code, sorted, so that the order they came in cannot matter. */
function mergeCandidates(candidates: readonly QuoteCandidate[]): QuoteCandidate[] {
  const segments = new Map<string, Segment>();
  const merged = new Map<string, QuoteCandidate>();
  for (const candidate of candidates) {
    const { segment, code, strength } = candidate;
    if (!(strength >= 0 && strength <= 1)) throw new RangeError(`the strength of code ${code} for segment ${segment.id} must be between 0 and 1; it is ${strength}`);
    const known = segments.get(segment.id);
    if (known && !sameSegment(known, segment)) throw new Error(`segment ${segment.id} is given with two different texts or attributes; a segment id must name one segment`);
    segments.set(segment.id, known ?? segment);
    const key = `${code}\u0000${segment.id}`;
    const earlier = merged.get(key);
    if (!earlier || strength > earlier.strength) merged.set(key, { segment: known ?? segment, code, strength });
  }
  return [...merged.values()].sort((a, b) => compareText(a.code, b.code) || compareText(a.segment.id, b.segment.id));
}

function sameSegment(a: Segment, b: Segment): boolean {
  if (a === b) return true;
  const keys = Object.keys(a.attributes);
  return a.text === b.text && keys.length === Object.keys(b.attributes).length && keys.every((key) => a.attributes[key] === b.attributes[key]);
}

function compareRanked(x: Ranked, y: Ranked, ideal: number): number {
  return (
    y.strength - x.strength ||
    Math.abs(x.prepared.words - ideal) - Math.abs(y.prepared.words - ideal) ||
    x.prepared.words - y.prepared.words ||
    compareText(x.prepared.segment.id, y.prepared.segment.id)
  );
}

/**
 * The quotes of one theme and domain. Segments no earlier theme has used are taken first; used
 * ones fill the places left, so a strong segment is not quoted twice while another could serve.
 */
function choose(ranked: readonly Ranked[], chosenForTheme: readonly Prepared[], used: ReadonlySet<string>, settings: Settings): Ranked[] {
  const chosen: Ranked[] = [];
  const against = [...chosenForTheme];
  for (const reuse of [false, true]) {
    for (const candidate of ranked) {
      if (chosen.length >= settings.perTheme) break;
      if (used.has(candidate.prepared.segment.id) !== reuse) continue;
      if (against.some((other) => jaccard(other.stems, candidate.prepared.stems) > settings.similarity)) continue;
      chosen.push(candidate);
      against.push(candidate.prepared);
    }
  }
  // Back in rank order, since a reused segment may outrank one chosen before it.
  return chosen.sort((x, y) => ranked.indexOf(x) - ranked.indexOf(y));
}

function prepareSegment(segment: Segment, redact: (text: string) => string, settings: Settings): Prepared {
  const attribution = redact(attributionOf(segment));
  const empty = { segment, words: 0, stems: new Set<string>(), attribution };
  if (segment.attributes.role === 'facilitator') return empty;
  const text = fitToLength(redact(segment.text).replace(/\s+/g, ' ').trim(), settings.minWords, settings.maxWords);
  if (text === undefined) return empty;
  return { segment, text, words: countWords(text), stems: new Set(stems(text)), attribution };
}

/** Words as a reader counts them: runs between spaces that hold a letter or a digit (not `—` or `…`). */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

/**
 * The text itself when its length is within limits; when it is too long, its longest run of
 * opening sentences that is within limits, followed by ` …`; otherwise undefined. Cutting only at
 * sentence ends keeps every quoted sentence whole, so nothing is put in a speaker's mouth.
 */
export function fitToLength(text: string, minWords: number, maxWords: number): string | undefined {
  const words = countWords(text);
  if (words < minWords) return undefined;
  if (words <= maxWords) return text;
  let best: string | undefined;
  for (const end of sentenceEnds(text)) {
    const opening = text.slice(0, end);
    if (countWords(opening) > maxWords) break;
    best = opening;
  }
  if (best === undefined || countWords(best) < minWords) return undefined;
  return /(?:…|\.\.\.)["'’”)\]]*$/u.test(best) ? best : `${best} …`;
}

/** Titles whose full stop does not end a sentence ("Dr. Reid said"). */
const TITLES = /(?:^|[\s(])(?:mr|mrs|ms|dr|prof|st|rev|cllr)\.$/i;

/**
 * Where each sentence but the last ends: after `.`, `!`, `?` or `…` and any closing quote or
 * bracket, when a space and then a capital letter, a digit or an opening quote or bracket follow.
 * A lower-case letter after the stop ("e.g. the") does not start a sentence.
 */
function sentenceEnds(text: string): number[] {
  const ends: number[] = [];
  const boundary = /[.!?…]+["'’”)\]]*(?=\s+["'‘“(\[]?[\p{Lu}\p{N}])/gu;
  for (const match of text.matchAll(boundary)) {
    const end = match.index + match[0].length;
    if (match[0] === '.' && TITLES.test(text.slice(0, end))) continue;
    ends.push(end);
  }
  return ends;
}

/** Shared stems over all stems; two empty sets are the same (nothing tells them apart). */
function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const stem of a) if (b.has(stem)) shared++;
  return shared / (a.size + b.size - shared);
}
