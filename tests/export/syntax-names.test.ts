/**
 * Variable names for SPSS, Stata and R: one name per column, valid in all three, unique, at most
 * 32 characters, the same every time.
 */
import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, variableNames } from '../../src/export/names.ts';
import { missingCell, MISSING_CODES } from '../../src/export/missing.ts';
import { numericCodes } from '../../src/export/variables.ts';

/** Valid in Stata (and so in SPSS and as an R name): a letter, then letters, digits and _. */
const VALID = /^[a-z][a-z0-9_]*$/;

describe('variable names', () => {
  it('turns the dot of a multiple-choice or matrix column into an underscore', () => {
    expect(variableNames(['support.manager', 'activities.coaching'])).toEqual(['support_manager', 'activities_coaching']);
  });

  it('keeps the earlier column\'s name when two columns meet, and gives the later one a free suffix', () => {
    const names = variableNames(['support.mentor', 'support_mentor', 'support_mentor_2', 'support.mentor_2']);
    expect(names[0]).toBe('support_mentor');
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(VALID);
  });

  it('cuts long names to 32 characters and keeps names that share those 32 apart', () => {
    const long = 'activities.action_learning_sets_with_peers_elsewhere';
    const names = variableNames([long, `${long}_too`, `${long}_also`]);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(new Set(names).size).toBe(3);
    expect(names[0]).toBe(long.replace('.', '_').slice(0, MAX_NAME_LENGTH));
  });

  it('moves names off the reserved words of SPSS, Stata and R', () => {
    const words = ['to', 'by', 'all', 'with', 'if', 'in', 'int', 'long', 'str12', 'for', 'function', 'na'];
    const names = variableNames(words);
    names.forEach((name, i) => {
      expect(name).not.toBe(words[i]);
      expect(name).toMatch(VALID);
    });
  });

  it('gives the same names for the same columns every time', () => {
    const columns = ['response_id', 'q.a', 'q_a', 'to', 'q.b'];
    expect(variableNames(columns)).toEqual(variableNames([...columns]));
  });
});

describe('the missing codes', () => {
  it('are numbers in numeric columns and dotted words in text columns, one pair for each reason', () => {
    expect(missingCell('numeric', 'not_shown')).toBe(String(MISSING_CODES.not_shown.numeric));
    expect(missingCell('numeric', 'not_answered')).toBe(String(MISSING_CODES.not_answered.numeric));
    expect(missingCell('string', 'not_shown')).toBe(MISSING_CODES.not_shown.string);
    expect(missingCell('string', 'not_answered')).toBe(MISSING_CODES.not_answered.string);
    expect(new Set(Object.values(MISSING_CODES).map((c) => c.string)).size).toBe(2);
  });

  it('cannot be taken for an option id, so a letter-coded column never confuses the two', () => {
    for (const code of Object.values(MISSING_CODES)) {
      expect(code.string).not.toMatch(/^(?:[a-z][a-z0-9_]*|[0-9]+)$/);
      expect(String(code.numeric)).not.toMatch(/^[0-9]+$/);
      expect(Buffer.byteLength(code.string)).toBeLessThanOrEqual(8);
    }
  });
});

describe('numeric option codes', () => {
  it('are numbers only when every code is digits and no two have the same value', () => {
    const options = (...ids: string[]) => ids.map((id) => ({ id, label: id }));
    expect(numericCodes(options('5', '4', '10'))).toBe(true);
    expect(numericCodes(options('01', '9'))).toBe(true);
    expect(numericCodes(options('1', '01'))).toBe(false);
    expect(numericCodes(options('1', 'dont_know'))).toBe(false);
    expect(numericCodes(options('1234567890'))).toBe(false);
  });
});
