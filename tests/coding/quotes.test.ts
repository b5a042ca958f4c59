import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributionOf } from '../../src/coding/attribution.ts';
import { readHumanCodingCsv } from '../../src/coding/csv-inputs.ts';
import { unwrap } from '../../src/coding/problems.ts';
import { countWords, fitToLength, selectQuotes, type QuoteCandidate } from '../../src/coding/quotes.ts';
import { parseRedactions, redactor } from '../../src/coding/redact.ts';
import { parseTranscript } from '../../src/coding/transcript.ts';
import type { Segment } from '../../src/coding/types.ts';

const seg = (attributes: Record<string, string>, text = 'text', id = 'g#1'): Segment => ({ id, text, attributes });

describe('attributing a quote', () => {
  const of = (attributes: Record<string, string>) => attributionOf(seg(attributes));

  it('uses the attribution attribute verbatim when it is set', () => {
    expect(of({ attribution: 'Chief executive, voluntary organisation', method: 'focus group', sector: 'public' })).toBe('Chief executive, voluntary organisation');
  });

  it('ignores a blank attribution attribute and builds one from the method and sector', () => {
    expect(of({ attribution: '  ', method: 'focus group', sector: 'public' })).toBe('Public sector focus group participant');
  });

  it('names a focus group participant of each of the three sectors', () => {
    expect(of({ method: 'focus group', sector: 'public' })).toBe('Public sector focus group participant');
    expect(of({ method: 'focus group', sector: 'private' })).toBe('Private sector focus group participant');
    expect(of({ method: 'focus group', sector: 'voluntary' })).toBe('Voluntary sector focus group participant');
  });

  it('says a quote from a simulated transcript or simulated responses is simulated, whatever else the attribution says', () => {
    expect(of({ method: 'focus group', sector: 'voluntary', simulated: 'true' })).toBe('Voluntary sector focus group participant, simulated transcript');
    expect(of({ method: 'consultation', sector: 'people-using-services', simulated: 'True ' })).toBe('Forum of people who use services and carers, consultation, simulated transcript');
    expect(of({ attribution: 'Chief executive', simulated: 'true' })).toBe('Chief executive, simulated transcript');
    expect(of({ method: 'survey free text', source: 'survey', attribution: 'Organisational survey response', simulated: 'true' })).toBe('Organisational survey response, simulated response');
    expect(of({ method: 'focus group', sector: 'voluntary', simulated: 'false' })).toBe('Voluntary sector focus group participant');
  });

  it('names a telephone interview by its sector', () => {
    expect(of({ method: 'telephone interview', sector: 'public' })).toBe('Public sector telephone interview');
  });

  it('names the consultation with people who use services and carers after their forum', () => {
    expect(of({ method: 'consultation', sector: 'people-using-services' })).toBe('Forum of people who use services and carers, consultation');
  });

  it('names the forum with the method phrase when its members took part some other way', () => {
    expect(of({ method: 'focus group', sector: 'people-using-services' })).toBe('Forum of people who use services and carers, focus group participant');
  });

  it('names a consultation of any of the three sectors by its sector', () => {
    expect(of({ method: 'consultation', sector: 'voluntary' })).toBe('Voluntary sector consultation');
  });

  it('names survey free text as an individual survey response, by its method or by its source, without sector or tier', () => {
    expect(of({ method: 'survey free text', sector: 'public', tier: 'front line' })).toBe('Individual survey response');
    expect(of({ source: 'survey', sector: 'private' })).toBe('Individual survey response');
  });

  it('leaves the sector phrase out when the sector is missing or not one it knows', () => {
    expect(of({ method: 'focus group' })).toBe('Focus group participant');
    expect(of({ method: 'focus group', sector: 'health' })).toBe('Focus group participant');
    expect(of({ method: 'telephone interview', sector: '' })).toBe('Telephone interview');
    expect(of({ method: 'consultation' })).toBe('Consultation');
  });

  it('calls the speaker a participant when the method is missing or not one it knows', () => {
    expect(of({ method: 'workshop', sector: 'private' })).toBe('Private sector participant');
    expect(of({})).toBe('Participant');
  });

  it('reads methods and sectors whatever their case, spacing, hyphens or underscores', () => {
    expect(of({ method: ' Telephone-Interview ', sector: 'Public' })).toBe('Public sector telephone interview');
    expect(of({ method: 'survey_free_text' })).toBe('Individual survey response');
    expect(of({ method: 'Consultation', sector: 'People using services' })).toBe('Forum of people who use services and carers, consultation');
  });

  it('never uses the speaker, so a name cannot reach the attribution', () => {
    expect(of({ method: 'focus group', sector: 'public', speaker: 'Agnes' })).not.toContain('Agnes');
  });
});

// Texts of distinct vocabulary, so that only the duplicates meant as such are similar.
const TEXTS = {
  authority:
    'Front-line staff need to know they can make a call on the spot without ringing the office for permission every time something changes in a visit.',
  risk: 'When something goes wrong the blame lands on the worker who took a measured risk, so people stop taking any and families lose out badly.',
  courage: 'Confidence comes from managers who back you after a difficult decision rather than hanging you out to dry in a meeting with inspectors.',
  relations: 'Partnership working only moved once a handful of health and council managers kept turning up, listening and refusing to give up after bad meetings.',
  paradox: 'We are told to innovate and told to cut budgets in the same breath, and nobody pretends there is any easy answer to that contradiction.',
  short: 'Yes, I agree with that entirely.',
  // 26 words
  ideal: 'Leadership shows in the senior carer who sets the tone at handover, notices who is struggling, and quietly sorts out the rota before anyone complains.',
};

let counter = 0;
const turn = (text: string, attributes: Record<string, string> = {}, id?: string): Segment => ({
  id: id ?? `fg-public-1#${++counter}`,
  text,
  attributes: { group: 'fg-public-1', method: 'focus group', sector: 'public', speaker: 'P1', role: 'participant', ...attributes },
});
const cand = (segment: Segment, code: string, strength = 1): QuoteCandidate => ({ segment, code, strength });
const words = (n: number, stem = 'word') => Array.from({ length: n }, (_, i) => `${stem}${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`).join(' ');

describe('choosing quotes', () => {
  it('takes the strongest candidates first and returns them in rank order', () => {
    const a = turn(TEXTS.authority, {}, 'fg-public-1#1');
    const b = turn(TEXTS.risk, {}, 'fg-public-1#2');
    const c = turn(TEXTS.courage, {}, 'fg-public-1#3');
    const quotes = selectQuotes([cand(a, 'authority', 0.5), cand(b, 'authority', 1), cand(c, 'authority', 0.8)]);
    expect(quotes.map((q) => [q.segmentId, q.strength])).toEqual([
      ['fg-public-1#2', 1],
      ['fg-public-1#3', 0.8],
    ]);
  });

  it('returns the code, the domain, the text and the attribution of each quote', () => {
    const a = turn(TEXTS.authority, { sector: 'voluntary', group: 'fg-voluntary-1' }, 'fg-voluntary-1#4');
    expect(selectQuotes([cand(a, 'authority', 0.75)])).toEqual([
      { code: 'authority', domain: 'sector=voluntary', segmentId: 'fg-voluntary-1#4', text: TEXTS.authority, attribution: 'Voluntary sector focus group participant', strength: 0.75 },
    ]);
  });

  it('prefers, among equally strong candidates, the one whose length is nearest the ideal, then the lower segment id', () => {
    const long = turn(`${TEXTS.relations} ${TEXTS.paradox}`, {}, 'fg-public-1#1');
    const ideal = turn(TEXTS.ideal, {}, 'fg-public-1#2');
    const near1 = turn(words(20, 'near'), {}, 'fg-public-1#9');
    const near2 = turn(words(20, 'close'), {}, 'fg-public-1#10');
    expect(selectQuotes([cand(long, 'x'), cand(ideal, 'x')], { perTheme: 1 }).map((q) => q.segmentId)).toEqual(['fg-public-1#2']);
    // Code-unit order: `#10` comes before `#9`.
    expect(selectQuotes([cand(near1, 'x'), cand(near2, 'x')], { perTheme: 1 }).map((q) => q.segmentId)).toEqual(['fg-public-1#10']);
    expect(selectQuotes([cand(long, 'x'), cand(ideal, 'x')], { perTheme: 1, idealWords: 50 }).map((q) => q.segmentId)).toEqual(['fg-public-1#1']);
  });

  it('leaves out texts shorter than the minimum and longer than the maximum with no sentence to cut at', () => {
    const short = turn(TEXTS.short);
    const unbroken = turn(words(70));
    const good = turn(TEXTS.risk);
    expect(selectQuotes([cand(short, 'x'), cand(unbroken, 'x'), cand(good, 'x')]).map((q) => q.segmentId)).toEqual([good.id]);
    expect(selectQuotes([cand(short, 'x')], { minWords: 5 }).map((q) => q.text)).toEqual([TEXTS.short]);
  });

  it('shortens a long text at a sentence boundary, keeping the most opening sentences that fit, and marks the cut with an ellipsis', () => {
    const long = turn(`${TEXTS.authority} ${TEXTS.risk} ${TEXTS.courage}`);
    expect(countWords(long.text)).toBeGreaterThan(60);
    const [quote] = selectQuotes([cand(long, 'x')]);
    expect(quote!.text).toBe(`${TEXTS.authority} ${TEXTS.risk} …`);
    expect(selectQuotes([cand(long, 'x')], { maxWords: 40 })[0]!.text).toBe(`${TEXTS.authority} …`);
  });

  it('leaves out a long text whose first sentence alone is over the maximum or whose fitting sentences are under the minimum', () => {
    expect(selectQuotes([cand(turn(`${words(70)}. ${TEXTS.risk}`), 'x')])).toEqual([]);
    expect(selectQuotes([cand(turn(`Well, yes. ${words(70)}.`), 'x')])).toEqual([]);
  });

  it('cuts only where a new sentence starts, not after a title or before a lower-case word', () => {
    const text = `I rang Dr. Reid about it and she said e.g. the rota could change, which helped. Then ${words(60)}`;
    expect(fitToLength(text, 8, 30)).toBe('I rang Dr. Reid about it and she said e.g. the rota could change, which helped. …');
    // "I rang Dr." would fit these limits, were the title's stop a sentence end.
    expect(fitToLength(text, 2, 5)).toBeUndefined();
    expect(fitToLength(`It was fine. ${words(60)}`, 2, 5)).toBeUndefined();
    expect(fitToLength('“It works.” Then she left the room and closed the door behind her quietly.', 2, 4)).toBe('“It works.” …');
  });

  it('does not add a second ellipsis after a sentence that ends in one', () => {
    expect(fitToLength(`We tried and tried, and then… Then ${words(40)}`, 2, 10)).toBe('We tried and tried, and then…');
  });

  it('skips a near-duplicate of a quote already chosen for the theme and takes the next distinct one', () => {
    const first = turn(TEXTS.authority, {}, 'fg-public-1#1');
    const echo = turn(`${TEXTS.authority} Really.`, {}, 'fg-public-1#2');
    const other = turn(TEXTS.courage, {}, 'fg-public-1#3');
    const candidates = [cand(first, 'x', 1), cand(echo, 'x', 0.9), cand(other, 'x', 0.5)];
    expect(selectQuotes(candidates).map((q) => q.segmentId)).toEqual(['fg-public-1#1', 'fg-public-1#3']);
    expect(selectQuotes(candidates, { similarity: 1 }).map((q) => q.segmentId)).toEqual(['fg-public-1#1', 'fg-public-1#2']);
  });

  it('skips a near-duplicate across the sectors of one theme but not across themes', () => {
    const pub = turn(TEXTS.authority, { sector: 'public' }, 'a#1');
    const vol = turn(TEXTS.authority, { sector: 'voluntary' }, 'b#1');
    const quotes = selectQuotes([cand(pub, 'x'), cand(vol, 'x'), cand(vol, 'y')]);
    expect(quotes.map((q) => `${q.code} ${q.domain} ${q.segmentId}`)).toEqual(['x sector=public a#1', 'y sector=voluntary b#1']);
  });

  it('quotes a segment for a second theme only when the theme has no other candidate to fill its places', () => {
    const both = turn(TEXTS.relations, {}, 'fg-public-1#1');
    const alt = turn(TEXTS.paradox, {}, 'fg-public-1#2');
    const candidates = [cand(both, 'collaborative', 1), cand(both, 'complexity', 1), cand(alt, 'complexity', 0.6)];
    const one = selectQuotes(candidates, { perTheme: 1, codes: ['collaborative', 'complexity'] });
    expect(one.map((q) => `${q.code} ${q.segmentId}`)).toEqual(['collaborative fg-public-1#1', 'complexity fg-public-1#2']);
    // With two places the theme needs both, and the stronger one is still listed first.
    const two = selectQuotes(candidates, { perTheme: 2, codes: ['collaborative', 'complexity'] });
    expect(two.map((q) => `${q.code} ${q.segmentId}`)).toEqual(['collaborative fg-public-1#1', 'complexity fg-public-1#1', 'complexity fg-public-1#2']);
  });

  it('applies the redaction to the text before measuring it, so no listed name is ever returned', () => {
    const list = unwrap(parseRedactions('Agnes Ferguson\nAgnes\nDougie Reid\nDougie\n', 'redactions.txt'), 'list');
    const redact = redactor(list);
    const named = turn('Agnes Ferguson told us that Dougie would always pick up the phone late at night, and Agnes agreed.', { speaker: 'Agnes' });
    const [quote] = selectQuotes([cand(named, 'x')], { redact });
    expect(quote!.text).toBe('[name] told us that [name] would always pick up the phone late at night, and [name] agreed.');
    expect(quote!.text).not.toMatch(/Agnes|Ferguson|Dougie/);
    // Ten words once redacted (twelve as written), so a minimum of eleven leaves it out.
    const nearMinimum = turn('Agnes Ferguson and Dougie Reid ran the group for us well.');
    expect(selectQuotes([cand(nearMinimum, 'x')], { redact, minWords: 11 })).toEqual([]);
    expect(selectQuotes([cand(nearMinimum, 'x')], { minWords: 11 })).toHaveLength(1);
  });

  it('redacts an attribution given verbatim as well', () => {
    const list = unwrap(parseRedactions('Dougie Reid\n', 'redactions.txt'), 'list');
    const s = turn(TEXTS.risk, { attribution: 'Dougie Reid, area manager' });
    expect(selectQuotes([cand(s, 'x')], { redact: redactor(list) })[0]!.attribution).toBe('[name], area manager');
  });

  it('never quotes a facilitator turn, however strong', () => {
    const facilitator = turn(TEXTS.authority, { role: 'facilitator', speaker: 'Facilitator' }, 'fg-public-1#1');
    const participant = turn(TEXTS.risk, {}, 'fg-public-1#2');
    expect(selectQuotes([cand(facilitator, 'x', 1), cand(participant, 'x', 0.2)]).map((q) => q.segmentId)).toEqual(['fg-public-1#2']);
  });

  it('returns quotes in the order of the codes given, then of sectors in code-unit order, ignoring codes not given', () => {
    const pub = turn(TEXTS.authority, { sector: 'public' }, 'p#1');
    const pri = turn(TEXTS.risk, { sector: 'private' }, 'q#1');
    const vol = turn(TEXTS.courage, { sector: 'voluntary' }, 'v#1');
    const candidates = [cand(vol, 'b'), cand(pub, 'a'), cand(pri, 'b'), cand(pub, 'c'), cand(pri, 'a')];
    expect(selectQuotes(candidates, { codes: ['b', 'a'] }).map((q) => `${q.code} ${q.domain}`)).toEqual([
      'b sector=private',
      'b sector=voluntary',
      'a sector=private',
      'a sector=public',
    ]);
    // Without a list, codes come in code-unit order.
    expect([...new Set(selectQuotes(candidates).map((q) => q.code))]).toEqual(['a', 'b', 'c']);
  });

  it('chooses up to the number of quotes asked for in each domain', () => {
    const texts = [TEXTS.authority, TEXTS.risk, TEXTS.courage, TEXTS.relations, TEXTS.paradox];
    const candidates = texts.flatMap((text, i) => [cand(turn(text, { sector: 'public' }, `p#${i}`), 'x'), cand(turn(text.replace(/\./, '!'), { sector: 'private' }, `q#${i}`), 'y')]);
    const quotes = selectQuotes(candidates, { perTheme: 3 });
    expect(quotes.filter((q) => q.code === 'x')).toHaveLength(3);
    expect(selectQuotes(candidates, { perTheme: 0 })).toEqual([]);
  });

  it('leaves out segments without a value of the attribute, unless quotes are chosen over all segments', () => {
    const survey = turn(TEXTS.paradox, { method: 'survey free text', sector: '' }, 'survey#1');
    expect(selectQuotes([cand(survey, 'x')])).toEqual([]);
    expect(selectQuotes([cand(survey, 'x')], { by: null })).toEqual([
      { code: 'x', domain: 'all', segmentId: 'survey#1', text: TEXTS.paradox, attribution: 'Individual survey response', strength: 1 },
    ]);
    expect(selectQuotes([cand(survey, 'x')], { by: 'method' })[0]!.domain).toBe('method=survey free text');
  });

  it('counts a segment given twice for one code once, at the greater strength', () => {
    const s = turn(TEXTS.risk);
    expect(selectQuotes([cand(s, 'x', 0.4), cand(s, 'x', 0.9)]).map((q) => q.strength)).toEqual([0.9]);
  });

  it('gives the same quotes, byte for byte, whatever order the candidates come in', () => {
    const texts = Object.values(TEXTS);
    const candidates: QuoteCandidate[] = [];
    const sectors = ['public', 'private', 'voluntary'];
    texts.forEach((text, i) =>
      sectors.forEach((sector, j) => {
        const s = turn(text, { sector, group: `fg-${sector}-1` }, `fg-${sector}-1#${i + 1}`);
        candidates.push(cand(s, ['x', 'y', 'z'][(i + j) % 3]!, [1, 0.5][i % 2]!), cand(s, 'w', 0.5));
      }),
    );
    const expected = JSON.stringify(selectQuotes(candidates));
    expect(JSON.parse(expected).length).toBeGreaterThan(6);
    expect(JSON.stringify(selectQuotes([...candidates].reverse()))).toBe(expected);
    const rotated = [...candidates.slice(7), ...candidates.slice(0, 7)];
    expect(JSON.stringify(selectQuotes(rotated))).toBe(expected);
    const interleaved = [...candidates.filter((_, i) => i % 2 === 1), ...candidates.filter((_, i) => i % 2 === 0)];
    expect(JSON.stringify(selectQuotes(interleaved))).toBe(expected);
  });

  it('refuses a strength outside 0..1 and options out of range', () => {
    const s = turn(TEXTS.risk);
    expect(() => selectQuotes([cand(s, 'x', 1.5)])).toThrow(RangeError);
    expect(() => selectQuotes([cand(s, 'x', Number.NaN)])).toThrow(RangeError);
    expect(() => selectQuotes([], { perTheme: -1 })).toThrow(RangeError);
    expect(() => selectQuotes([], { minWords: 10, maxWords: 5 })).toThrow(RangeError);
    expect(() => selectQuotes([], { similarity: 2 })).toThrow(RangeError);
  });

  it('refuses one segment id given with two different texts', () => {
    const a = turn(TEXTS.risk, {}, 'g#1');
    const b = turn(TEXTS.courage, {}, 'g#1');
    expect(() => selectQuotes([cand(a, 'x'), cand(b, 'y')])).toThrow('segment g#1 is given with two different texts or attributes');
  });
});

describe('choosing quotes from the demo study', () => {
  const folder = 'pipelines/transcripts/leading-together';
  const segments = readdirSync(folder)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    // Every turn, the facilitator's included, to show they are left out here.
    .flatMap((name) => unwrap(parseTranscript(readFileSync(join(folder, name), 'utf8'), name), 'transcript').segments);
  const codingFile = 'pipelines/coding/leading-together.csv';
  const coding = unwrap(readHumanCodingCsv(readFileSync(codingFile, 'utf8'), codingFile), 'coding');
  const coders = new Set(coding.codes.map((c) => c.coder)).size;
  const byId = new Map(segments.map((s) => [s.id, s]));
  const counts = new Map<string, number>();
  for (const c of coding.codes) if (c.code !== '') counts.set(`${c.code}\u0000${c.segmentId}`, (counts.get(`${c.code}\u0000${c.segmentId}`) ?? 0) + 1);
  // Strength is the share of coders who applied the code; the facilitator's turns are offered too.
  const candidates: QuoteCandidate[] = [
    ...[...counts].flatMap(([key, n]) => {
      const [code, id] = key.split('\u0000') as [string, string];
      const segment = byId.get(id);
      return segment ? [{ segment, code, strength: n / coders }] : [];
    }),
    ...segments.filter((s) => s.attributes.role === 'facilitator').map((segment) => ({ segment, code: 'all-levels', strength: 1 })),
  ];
  const redactions = unwrap(parseRedactions(readFileSync('pipelines/coding/redactions.txt', 'utf8'), 'redactions.txt'), 'list');
  const quotes = selectQuotes(candidates, { codes: ['all-levels', 'authority', 'whole-systems', 'collaborative', 'complexity'], redact: redactor(redactions) });

  it('finds quotes for every theme', () => {
    expect(new Set(quotes.map((q) => q.code)).size).toBe(5);
  });

  it('returns no name from the redaction list, no facilitator turn and no quote outside the length limits', () => {
    for (const quote of quotes) {
      for (const { name } of redactions.redactions) expect(quote.text.toLowerCase()).not.toContain(name.toLowerCase());
      expect(byId.get(quote.segmentId)!.attributes.role).toBe('participant');
      expect(countWords(quote.text)).toBeGreaterThanOrEqual(8);
      expect(countWords(quote.text)).toBeLessThanOrEqual(60);
    }
  });

  it('attributes the quotes in the report style', () => {
    const attributions = new Set(quotes.map((q) => q.attribution));
    // The bundled transcripts are examples, and every attribution says so.
    for (const a of attributions) expect(a).toMatch(/^((Public|Private|Voluntary) sector (focus group participant|telephone interview)|Forum of people who use services and carers, consultation), simulated transcript$/);
  });
});
