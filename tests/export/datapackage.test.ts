/**
 * The Data Package beside the coded CSV: valid against the Data Package, Tabular Data Package and
 * Table Schema profiles (tests/fixtures/datapackage/, JSON Schema draft-04), and true to the CSV:
 * every cell is a declared missing value or a value of its field's type and codes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFileNames, writeExport } from '../../src/export/bundle.ts';
import { MISSING_VALUES } from '../../src/export/datapackage.ts';
import { MISSING_CODES } from '../../src/export/missing.ts';
import { variablesOf } from '../../src/export/variables.ts';
import { loadInstrumentFile } from '../../src/instrument/load.ts';
import type { Instrument } from '../../src/instrument/schema.ts';
import { EXPORT_FIXTURE, exportResponses, pagesOf } from '../support/export-responses.ts';

const PROFILES = 'tests/fixtures/datapackage';

interface Field {
  name: string;
  title: string;
  description: string;
  type: string;
  format?: string;
  constraints?: { enum?: (string | number)[]; minimum?: number; maximum?: number; required?: boolean; unique?: boolean };
  categories?: { value: string | number; label: string }[];
}
interface Descriptor {
  name: string;
  profile: string;
  resources: { path: string; schema: { fields: Field[]; missingValues: string[]; primaryKey: string[] } }[];
}

let instrument: Instrument;
let dir: string;
let text: string;
let descriptor: Descriptor;
let rows: Record<string, string>[];

beforeAll(async () => {
  ({ instrument } = await loadInstrumentFile(EXPORT_FIXTURE));
  dir = mkdtempSync(join(tmpdir(), 'tapestry-datapackage-'));
  await writeExport({ instrument, wave: '2026', formats: ['datapackage'], dir }, pagesOf(exportResponses()));
  text = readFileSync(join(dir, 'datapackage.json'), 'utf8');
  descriptor = JSON.parse(text) as Descriptor;
  rows = Papa.parse<Record<string, string>>(readFileSync(join(dir, descriptor.resources[0]!.path), 'utf8'), { header: true, skipEmptyLines: true }).data;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validator(profile: string) {
  // The profiles use keywords of their own (`context`, `examples`), so not strict; `textarea` is a
  // format for form builders that says nothing about validity.
  const ajv = new AjvDraft04.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('textarea', true);
  return ajv.compile(JSON.parse(readFileSync(join(PROFILES, profile), 'utf8')) as object);
}

describe('datapackage.json', () => {
  it.each(['data-package.json', 'tabular-data-package.json'])('is valid against the %s profile', (profile) => {
    const validate = validator(profile);
    expect(validate(descriptor), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('gives a resource schema valid against the Table Schema profile', () => {
    const validate = validator('table-schema.json');
    expect(validate(descriptor.resources[0]!.schema), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is refused by the profiles when it breaks them, so the validation above can fail', () => {
    const broken = JSON.parse(text) as Descriptor;
    broken.resources[0]!.schema.fields[0]!.type = 'no-such-type';
    expect(validator('table-schema.json')(broken.resources[0]!.schema)).toBe(false);
    expect(validator('data-package.json')({ ...broken, name: 'Upper Case' })).toBe(false);
  });

  it('describes the coded CSV beside it, one field per column in order', () => {
    expect(descriptor.resources[0]!.path).toBe(exportFileNames(instrument, '2026').csv);
    expect(descriptor.resources[0]!.schema.fields.map((f) => f.name)).toEqual(Object.keys(rows[0]!));
    expect(descriptor.resources[0]!.schema.primaryKey).toEqual(['response_id']);
  });

  it('declares the option codes as enum constraints with their labels, numbers for numeric codes', () => {
    const fields = new Map(descriptor.resources[0]!.schema.fields.map((f) => [f.name, f]));
    expect(fields.get('band')).toMatchObject({ type: 'integer', constraints: { enum: [8, 9, 10] } });
    expect(fields.get('band')!.categories).toEqual([
      { value: 8, label: 'Band 8' },
      { value: 9, label: 'Band 9' },
      { value: 10, label: 'Band 10' },
    ]);
    expect(fields.get('tier')).toMatchObject({ type: 'string', constraints: { enum: ['front_line', 'first_line_manager', 'senior'] } });
    expect(fields.get('agree')).toMatchObject({ categoriesOrdered: true });
    expect(fields.get('staff')).toMatchObject({ type: 'integer', constraints: { minimum: 0 } });
    expect(fields.get('staff')!.description).toContain(`${MISSING_CODES.not_shown.numeric} = ${MISSING_CODES.not_shown.label}`);
    expect(fields.get('staff')!.description).toContain("shown when tier != 'front_line'");
  });

  it('declares the four missing codes and the empty cell as missing values', () => {
    expect(descriptor.resources[0]!.schema.missingValues).toEqual([...MISSING_VALUES]);
    expect(MISSING_VALUES).toEqual(expect.arrayContaining([String(MISSING_CODES.not_shown.numeric), String(MISSING_CODES.not_answered.numeric), MISSING_CODES.not_shown.string, MISSING_CODES.not_answered.string, '']));
  });

  it('fits every cell of the CSV: a missing value, or a value of its field\'s type within its codes and range', () => {
    const fields = descriptor.resources[0]!.schema.fields;
    const missing = new Set(descriptor.resources[0]!.schema.missingValues);
    let checked = 0;
    for (const row of rows) {
      for (const field of fields) {
        const cell = row[field.name]!;
        if (missing.has(cell)) continue;
        checked++;
        const where = `${field.name} = ${JSON.stringify(cell)}`;
        if (field.type === 'integer') expect(cell, where).toMatch(/^-?\d+$/);
        if (field.type === 'number') expect(Number.isFinite(Number(cell)), where).toBe(true);
        if (field.type === 'datetime') expect(cell, where).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        const value = field.type === 'integer' || field.type === 'number' ? Number(cell) : cell;
        if (field.constraints?.enum) expect(field.constraints.enum, where).toContain(value);
        if (field.constraints?.minimum !== undefined) expect(value as number, where).toBeGreaterThanOrEqual(field.constraints.minimum);
      }
    }
    expect(checked).toBeGreaterThan(rows.length * 10);
  });

  it('depends on nothing but the instrument and the wave', async () => {
    const again = mkdtempSync(join(tmpdir(), 'tapestry-datapackage-again-'));
    try {
      await writeExport({ instrument, wave: '2026', formats: ['datapackage'], dir: again }, pagesOf([]));
      expect(readFileSync(join(again, 'datapackage.json'), 'utf8')).toBe(text);
      expect(variablesOf(instrument).length).toBe(descriptor.resources[0]!.schema.fields.length);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});
