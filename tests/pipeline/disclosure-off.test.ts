// Disclosure thresholds of 0, for an internal analysis: nothing is withheld, and the report's
// method notes say that no suppression was applied.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disclosureNote, runPipeline, type RunResult } from '../../src/pipeline/run.ts';

const root = join(import.meta.dirname, '..', '..');

describe('a pipeline with disclosure thresholds of 0', () => {
  let dir: string;
  let result: RunResult;
  const read = (name: string) => readFileSync(join(dir, 'out', name), 'utf8');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-no-suppression-'));
    cpSync(join(root, 'surveys'), join(dir, 'surveys'), { recursive: true });
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      `id: internal
title: Internal analysis
wave: "2010"
inputs:
  organisational: { instrument: surveys/leadership-organisational.yaml, responses: ${join(root, 'reports', 'leading-together', 'inputs', 'organisational-2010.csv')} }
disclosure: { min_base: 0, min_cell: 0 }
tables:
  # The example report withholds cells of this table under the default rules.
  - { id: budget, input: organisational, measure: budget_trend, by: [sector] }
`,
    );
    result = await runPipeline({ pipelineFile: 'pipeline.yaml', outDir: join(dir, 'out'), cwd: dir }, { log: () => undefined });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes every cell, small ones included', () => {
    expect(result.model.suppressions).toEqual([]);
    const cells = result.model.tables[0]!.cells;
    expect(cells.every((c) => c.suppressed === '')).toBe(true);
    expect(cells.some((c) => c.cell_n !== null && c.cell_n > 0 && c.cell_n < 3)).toBe(true);
  });

  it('says in the method notes of both reports that no suppression was applied', () => {
    const note = 'No suppression was applied (min_base 0, min_cell 0): every cell is published, however few responses it rests on, so these tables are for internal analysis, not for publication.';
    expect(result.model.methods.disclosure).toBe(note);
    expect(read('report.md')).toContain(`### Disclosure control\n\n${note}`);
    expect(read('report.html')).toContain(`<h3>Disclosure control</h3>\n  <p>${note}</p>`);
  });
});

describe('the method note on disclosure control', () => {
  it.each([
    [{ min_base: 10, min_cell: 3 }, 'A domain with fewer than 10 responses is withheld whole; a count under 3 is suppressed, with enough other cells that no suppressed value can be worked out from the published totals.'],
    [{ min_base: 0, min_cell: 3 }, 'No domain is withheld for its size (min_base 0); a count under 3 is suppressed, with enough other cells that no suppressed value can be worked out from the published totals.'],
    [{ min_base: 10, min_cell: 0 }, 'A domain with fewer than 10 responses is withheld whole; no count is suppressed for being small (min_cell 0).'],
    [{ min_base: 0, min_cell: 1 }, 'No suppression was applied (min_base 0, min_cell 1): every cell is published, however few responses it rests on, so these tables are for internal analysis, not for publication.'],
  ])('describes %j plainly', (rules, note) => {
    expect(disclosureNote(rules)).toBe(note);
  });
});
