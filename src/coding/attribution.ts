/**
 * The attribution printed after a quote, in the style of the Leading Together report:
 * "(Voluntary sector focus group participant)", "(Public sector telephone interview)". Built
 * from the segment's attributes, never from its speaker, so that no name can reach a report
 * through it. Returned without the parentheses, which belong to the renderer.
 */
import type { Segment } from './types.ts';

const SECTORS: Record<string, string> = {
  public: 'Public sector',
  private: 'Private sector',
  voluntary: 'Voluntary sector',
};

/** The forum is named in full, as the report does; it is a body of people, not a sector. */
const PEOPLE_USING_SERVICES = 'people-using-services';
const FORUM = 'Forum of people who use services and carers';

/** What each method adds after the sector; the first word is capitalised when no sector precedes it. */
const METHODS: Record<string, string> = {
  'focus group': 'focus group participant',
  'telephone interview': 'telephone interview',
  consultation: 'consultation',
};
/** For a method this does not know: the person is still a participant of something. */
const OTHER_METHOD = 'participant';
const SURVEY = 'Individual survey response';
const SIMULATED_TRANSCRIPT = 'simulated transcript';
const SIMULATED_RESPONSE = 'simulated response';

/** `Telephone-Interview`, ` focus  group ` and `survey_free_text` mean what they plainly say. */
function normal(value: string | undefined): string {
  return (value ?? '').trim().toLowerCase().replace(/[-_\s]+/g, ' ');
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The attribution of a quote from this segment:
 * - `attributes.attribution`, verbatim, when it is set and not blank;
 * - "Individual survey response" for survey free text (`method: survey free text`, or
 *   `source: survey`), with no sector or tier, as the report attributes survey answers;
 * - for people who use services and carers (`sector: people-using-services`): "Forum of people
 *   who use services and carers, consultation" (or ", focus group participant", …);
 * - otherwise the sector phrase ("Public sector") and the method's phrase: "Public sector focus
 *   group participant", "Public sector telephone interview", "Private sector consultation".
 * A sector other than public, private and voluntary, or none, leaves the sector phrase out
 * ("Focus group participant"): a guessed label in a commissioner's report is worse than a shorter
 * one, and `attribution` gives full control. A method other than the three of transcripts gives
 * "<Sector> sector participant", or "Participant".
 * A segment marked `simulated: true` (a synthetic transcript's front matter, or a free-text answer
 * from simulated responses) has ", simulated transcript" or ", simulated response" added, even
 * to an `attribution` given verbatim.
 */
export function attributionOf(segment: Segment): string {
  const survey = normal(segment.attributes.method) === 'survey free text' || normal(segment.attributes.source) === 'survey';
  const own = plainAttribution(segment, survey);
  // Synthetic material says so wherever it is quoted, so that no quote passes for a real person's.
  if (normal(segment.attributes.simulated) !== 'true') return own;
  return `${own}, ${survey ? SIMULATED_RESPONSE : SIMULATED_TRANSCRIPT}`;
}

function plainAttribution(segment: Segment, survey: boolean): string {
  const { attribution } = segment.attributes;
  if (attribution !== undefined && attribution.trim() !== '') return attribution;

  const method = normal(segment.attributes.method);
  if (survey) return SURVEY;

  const phrase = METHODS[method] ?? OTHER_METHOD;
  const sector = normal(segment.attributes.sector).replace(/ /g, '-');
  if (sector === PEOPLE_USING_SERVICES) return `${FORUM}, ${phrase}`;
  const sectorPhrase = SECTORS[sector];
  return sectorPhrase === undefined ? capitalise(phrase) : `${sectorPhrase} ${phrase}`;
}
