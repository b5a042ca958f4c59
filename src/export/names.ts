/**
 * Variable names for the syntax files and the codebook: one name per column of the layout, valid
 * in SPSS, Stata and R alike, so an analyst meets the same name whichever program they use.
 *
 * Decisions, and why:
 * - Column names such as `activities.coaching` hold a dot, which Stata refuses and SPSS reads as
 *   the end of a command when it ends a name; the dot becomes `_`, the character Stata and SPSS
 *   users already write for "part of" (`activities_coaching`).
 * - Stata allows 32 characters; longer names are cut to 32 (SPSS allows 64, R any).
 * - A name that is a reserved word in any of the three (`to`, `by`, `if`, `in`, `for`, `int`…)
 *   gets a trailing `_`: SPSS reads `to` as a range, Stata refuses `if`, R cannot write `d$for`.
 * - Two columns can still meet (`q.a` and a question `q_a`, or two long ids that share 32
 *   characters). Names are given in layout order, so the earlier column keeps its name and the
 *   later one gets the shortest suffix `_2`, `_3`… that is free; the same layout always gives the
 *   same names. SPSS compares names without case, so clashes are found in lower case.
 */

export const MAX_NAME_LENGTH = 32;

// SPSS's reserved keywords, Stata's reserved names and R's reserved words, in lower case: the
// instrument's ids are lower case, and SPSS compares names without case.
const RESERVED = new Set([
  // SPSS
  'all', 'and', 'by', 'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'not', 'or', 'to', 'with',
  // Stata
  '_all', '_b', 'byte', '_coef', '_cons', 'double', 'float', 'if', 'in', 'int', 'long', '_n', '_pi', '_pred', '_rc', '_skip', 'strl', 'using',
  // R
  'else', 'repeat', 'while', 'function', 'for', 'next', 'break', 'true', 'false', 'null', 'inf', 'nan', 'na',
  'na_integer_', 'na_real_', 'na_character_', 'na_complex_',
]);

/** Stata reserves `str1` … `str2045` as storage types. */
const STATA_STRING_TYPE = /^str[0-9]+$/;

function reserved(name: string): boolean {
  return RESERVED.has(name) || STATA_STRING_TYPE.test(name);
}

/** The name a column would get if nothing else wanted it. */
function baseName(column: string): string {
  let name = column.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(name)) name = `v${name}`;
  name = name.slice(0, MAX_NAME_LENGTH);
  if (reserved(name)) name = `${name.slice(0, MAX_NAME_LENGTH - 1)}_`;
  return name;
}

/** `base` with the first suffix `_2`, `_3`… that makes it free, cut so the whole stays ≤ 32. */
function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const candidate = `${base.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
    if (!taken.has(candidate) && !reserved(candidate)) return candidate;
  }
}

/**
 * The variable name of each column, in the order given: valid in SPSS, Stata and R, unique
 * without regard to case, at most 32 characters. The syntax files' own working variables use
 * names outside this alphabet (`@…` in SPSS, `tempvar` in Stata), so they cannot meet these.
 */
export function variableNames(columns: readonly string[]): string[] {
  const taken = new Set<string>();
  return columns.map((column) => {
    const name = freeName(baseName(column), taken);
    taken.add(name);
    return name;
  });
}
