import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Instrument } from '../../src/instrument/schema.ts';
import { parseInvitees } from '../../src/mail/invitees.ts';

const instrument = Instrument.parse(parseYaml(readFileSync(join(import.meta.dirname, '..', '..', 'surveys', 'leadership-individual.yaml'), 'utf8')));

describe('reading an invitees file', () => {
  it('reads a file of one column, which has no delimiter to find', () => {
    const parsed = parseInvitees('email\nann@example.org\nbob@example.org\n', 'one.csv', instrument, true);
    expect(parsed).toEqual({ invitees: [{ email: 'ann@example.org' }, { email: 'bob@example.org' }], columns: ['email'], problems: [] });
  });

  it('drops empty cells and a byte-order mark, keeping the columns in the order of the file', () => {
    const parsed = parseInvitees('\uFEFFsector,email,tier\npublic,,senior\n', 'bom.csv', instrument);
    expect(parsed.columns).toEqual(['sector', 'email', 'tier']);
    expect(parsed.invitees).toEqual([{ sector: 'public', tier: 'senior' }]);
    expect(parsed.problems).toEqual([]);
  });

  it('names the line a text editor shows each problem on, past empty lines and answers over several lines', () => {
    const text = ['email,name,sector', 'ann@example.org,Ann,public', '', 'bob@example.org,"Bob', 'Smith",charity', '', '', 'not-an-address,Cat,public', 'dan@example.org,Dan,private', ''].join('\n');
    const parsed = parseInvitees(text, 'people.csv', instrument, true);
    expect(parsed.problems).toEqual([
      "people.csv:4: column `sector` has 'charity', which is not an answer to question `sector` (options: public, private, voluntary)",
      'people.csv:8: column `email` has "not-an-address", which is not an e-mail address',
    ]);
    expect(parsed.invitees.map((i) => i.name)).toEqual(['Ann', 'Bob\nSmith', 'Cat', 'Dan']);
  });

  it('counts lines the same with Windows line ends', () => {
    const parsed = parseInvitees('email,sector\r\na@example.org,public\r\n\r\nb@example.org,charity\r\n', 'crlf.csv', instrument);
    expect(parsed.problems).toEqual(["crlf.csv:4: column `sector` has 'charity', which is not an answer to question `sector` (options: public, private, voluntary)"]);
  });

  it('asks for an email column and an address in every row when sending, and for at least one invitee', () => {
    expect(parseInvitees('name\nAnn\n', 'names.csv', instrument, true).problems).toEqual(['names.csv:1: there is no `email` column, which sending needs']);
    expect(parseInvitees('email,name\n,Ann\n', 'blank.csv', instrument, true).problems).toEqual(['blank.csv:2: column `email` is empty; sending needs an address for every invitee']);
    const header = parseInvitees('email,name\n', 'header.csv', instrument, true);
    expect(header.columns).toEqual(['email', 'name']);
    expect(header.problems).toEqual(['header.csv: there are no invitees after the header']);
  });

  it('reports a row with more cells than the header at its line', () => {
    const parsed = parseInvitees('email,sector\na@example.org,public\nb@example.org,public,extra\n', 'wide.csv', instrument);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatch(/^wide\.csv:3: Too many fields/);
  });
});
