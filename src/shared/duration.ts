/** A length of time as people type one for "not within": `30m`, `12h`, `7d`, `2w`. */

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** The milliseconds `text` says, or undefined when it is not a whole number and one of the units. */
export function durationMs(text: string): number | undefined {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : undefined;
}
