import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPipelineText } from '../../src/pipeline/check.ts';
import { formatProblem } from '../../src/shared/yaml-source.ts';

const root = join(import.meta.dirname, '..', '..');
const check = async (text: string) => (await checkPipelineText(text, 'pipelines/x.yaml', root)).problems.map(formatProblem);

const head = `id: x
title: X
wave: "2010"
inputs:
  individual:
    instrument: surveys/leadership-individual.yaml
`;

describe('checking a pipeline file against its instruments', () => {
  it('accepts the bundled pipeline', async () => {
    const { readFileSync } = await import('node:fs');
    const result = await checkPipelineText(readFileSync(join(root, 'pipelines/leading-together.yaml'), 'utf8'), 'pipelines/leading-together.yaml', root);
    expect(result.problems).toEqual([]);
    expect(result.checked!.pipeline.tables.length).toBeGreaterThan(30);
  });

  it.each([
    [`tables:\n  - { id: a, input: individul, measure: tier }\n`, 'pipelines/x.yaml:8: table `a` reads input `individul`, which the pipeline does not have; did you mean `individual`?'],
    [`tables:\n  - { id: a, input: individual, measure: tiers }\n`, "pipelines/x.yaml:8: table `a`'s measure names question `tiers`, which leadership-individual does not have; did you mean `tier`?"],
    [`tables:\n  - { id: a, input: individual, measure: activities }\n`, 'pipelines/x.yaml:8: table `a` measures matrix `activities`; name one row, for example `activities.feedback_360`'],
    [`tables:\n  - { id: a, input: individual, measure: activities.coachin }\n`, 'pipelines/x.yaml:8: matrix `activities` has no row `coachin`; did you mean `coaching`?'],
    [`tables:\n  - { id: a, input: individual, measure: most_help }\n`, 'pipelines/x.yaml:8: table `a` measures `most_help`, a free-text question, which cannot be tabulated (code it first)'],
    [`tables:\n  - { id: a, input: individual, measure: tier, by: [qual_type] }\n`, 'pipelines/x.yaml:8: table `a` is broken down by `qual_type`, a multiple question; a breakdown must be a single-choice or scale question'],
    [`tables:\n  - { id: a, input: individual, measure: sector, by: [teir] }\n`, 'pipelines/x.yaml:8: table `a` is broken down by `teir`, which leadership-individual does not have; did you mean `tier`?'],
    [`tables:\n  - { id: a, input: individual, measure: qual_status, grid: { rows: tier, columns: sector, show: hold } }\n`, "pipelines/x.yaml:8: table `a`'s grid shows `hold`, which is not an answer to `qual_status` (holds, working, started_not_completed, none); did you mean `holds`?"],
    [`tables:\n  - { id: a, input: individual, measure: qual_status, grid: { rows: qual_type, columns: sector, show: holds } }\n`, "pipelines/x.yaml:8: table `a`'s grid has rows `qual_type`, a multiple question; rows must be a single-choice or scale question"],
    [`tables:\n  - { id: a, input: individual, measure: qual_status, grid: { rows: tier, columns: tier, show: holds } }\n`, "pipelines/x.yaml:8: table `a`'s grid has `tier` as both rows and columns; name two different questions"],
    [`tables:\n  - { id: a, input: individual, measure: qual_status, by: [tier], grid: { rows: tier, columns: sector, show: holds } }\n`, 'pipelines/x.yaml:8: table `a` is a grid, which is broken down by its rows and columns; leave out `by` and `panel`'],
    [`tables:\n  - { id: a, input: individual, measure: qual_status, grid: { rows: tier, columns: sector } }\n`, 'pipelines/x.yaml:8: table `a`: grid is missing `show`'],
    [`who_answered: { by: [sector, teir] }\ntables:\n  - { id: a, input: individual, measure: tier }\n`, 'pipelines/x.yaml:7: who_answered counts respondents by `teir`, which no input\'s instrument asks; did you mean `tier`?'],
    [`who_answered: { by: [sector, qual_type] }\ntables:\n  - { id: a, input: individual, measure: tier }\n`, 'pipelines/x.yaml:7: who_answered counts respondents by `qual_type`, a multiple question; count them by single-choice or scale questions'],
    [`who_answered: { by: [sector, sector] }\ntables:\n  - { id: a, input: individual, measure: tier }\n`, 'pipelines/x.yaml:7: who_answered.by names `sector` twice'],
    [`who_answered: { by: [] }\ntables:\n  - { id: a, input: individual, measure: tier }\n`, 'pipelines/x.yaml:7: who_answered: by: name at least one question to count respondents by, such as sector'],
    [`who_answered: { by: [sector] }\ntables:\n  - { id: who-answered, input: individual, measure: tier }\n`, 'pipelines/x.yaml:9: table id `who-answered` is the name of the file who_answered writes (tables/who-answered.csv); choose another id'],
    [`tables:\n  - { id: a, input: individual, measure: tier, test: true }\n`, 'pipelines/x.yaml:8: table `a` asks for a test of association but has no `by` to test against'],
    [`design:\n  individual:\n    rake: { sector: { public: 0.3, privat: 0.7 } }\ntables:\n  - { id: a, input: individual, measure: tier }\n`, 'pipelines/x.yaml:9: raking margin `sector` names `privat`, which is not one of its options (public, private, voluntary); did you mean `private`?'],
  ])('reports a mistake at its line: %j', async (rest, message) => {
    expect(await check(head + rest)).toContain(message);
  });

  it('reports a table id used twice and an unknown field', async () => {
    const problems = await check(`${head}tables:\n  - { id: a, input: individual, measure: tier }\n  - { id: a, input: individual, measure: sector, colour: red }\n`);
    expect(problems).toContain('pipelines/x.yaml:9: table `a` has an unknown field `colour`');
  });

  it('names tables by id or place, suggests the nearest field and the nearest allowed value', async () => {
    const problems = await check(`${head}tabels: []
tables:
  - { id: a, input: individual, measure: tier, ci: wilsn }
  - { input: individual, measure: tier }
`);
    expect(problems).toContain('pipelines/x.yaml:7: the pipeline has an unknown field `tabels`; did you mean `tables`?');
    expect(problems).toContain('pipelines/x.yaml:9: table `a`: ci is `wilsn`, which is not one of logit, beta, wilson; did you mean `wilson`?');
    expect(problems).toContain('pipelines/x.yaml:10: table 2 (it has no id) is missing `id`');
  });

  it('reports every problem at once: an unknown field does not hide mistakes in names elsewhere', async () => {
    const problems = await check(`${head}disclosre: { min_base: 5 }
design:
  individual: { strata: sector, population: { sector: { public: 52000, privat: 63000, voluntary: 75000 } } }
tables:
  - { id: a, input: individual, measure: tiers }
  - { id: b, input: individual, measure: sector, by: [teir], colour: red }
  - { id: c, input: individual, measure: tier, ci: wilsn }
`);
    expect(problems).toEqual([
      'pipelines/x.yaml:7: the pipeline has an unknown field `disclosre`; did you mean `disclosure`?',
      'pipelines/x.yaml:9: the population counts `sector` `privat`, which is not one of its options (public, private, voluntary); did you mean `private`?',
      "pipelines/x.yaml:11: table `a`'s measure names question `tiers`, which leadership-individual does not have; did you mean `tier`?",
      'pipelines/x.yaml:12: table `b` has an unknown field `colour`',
      'pipelines/x.yaml:12: table `b` is broken down by `teir`, which leadership-individual does not have; did you mean `tier`?',
      'pipelines/x.yaml:13: table `c`: ci is `wilsn`, which is not one of logit, beta, wilson; did you mean `wilson`?',
    ]);
  });

  it('reports the problems of the other parts when an input itself is malformed, without blaming its tables', async () => {
    const problems = await check(`id: x
title: X
wave: "2010"
inputs:
  individual: { instrument: surveys/leadership-individual.yaml, respones: database }
  broken: { responses: database }
tables:
  - { id: a, input: individual, measure: tiers }
  - { id: b, input: broken, measure: tier }
`);
    expect(problems).toEqual([
      'pipelines/x.yaml:5: inputs: individual has an unknown field `respones`',
      'pipelines/x.yaml:6: inputs: broken is missing `instrument`',
      "pipelines/x.yaml:8: table `a`'s measure names question `tiers`, which leadership-individual does not have; did you mean `tier`?",
    ]);
  });

  it.each([
    [`design:\n  individual: { strata: sector, population: { sector: { public: 5 } }, fpc: population }\n`, "pipelines/x.yaml:8: design `individual` gives the strata's population sizes twice, in `fpc` and in `population`; keep one"],
    [`design:\n  individual: { rake: [tier] }\n`, 'pipelines/x.yaml:8: design `individual` rakes to margins of the population (tier), but gives no `population`'],
    [`design:\n  individual: { strata: sector, population: { sector: { public: 5 } }, rake: [sector+tier] }\n`, 'pipelines/x.yaml:8: design `individual` rakes to `sector+tier`, but the population counts only sector'],
    [`design:\n  individual: { population: { tier: { senior: 5 } } }\n`, 'pipelines/x.yaml:8: design `individual` gives population counts that nothing uses: count strata by them, or name margins to rake to with `rake: [tier]`'],
    [`design:\n  individual: { strata: sector, population: { qual_type: { svq: 5 } } }\n`, 'pipelines/x.yaml:8: the population counts `qual_type`, a multiple question; population counts are by single-choice or scale questions'],
    [`design:\n  individual: { strata: sector, population: populations/none.csv }\n`, 'pipelines/x.yaml:8: design `individual`: the population file populations/none.csv cannot be read (is the path right?)'],
  ])('checks population counts against the design and the instrument: %j', async (design, message) => {
    expect(await check(`${head}${design}tables:\n  - { id: a, input: individual, measure: tier }\n`)).toContain(message);
  });

  it('checks a population CSV’s levels against the instrument at the CSV’s lines', async () => {
    const { mkdtempSync, cpSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tapestry-population-'));
    try {
      cpSync(join(root, 'surveys'), join(dir, 'surveys'), { recursive: true });
      writeFileSync(join(dir, 'sector-tier.csv'), 'sector,tier,count\npublic,senior,10\npublic,seniour,5\n');
      const text = `${head}design:\n  individual: { strata: sector, population: sector-tier.csv, rake: [sector+tier] }\ntables:\n  - { id: a, input: individual, measure: tier }\n`;
      const result = await checkPipelineText(text, 'pipelines/x.yaml', dir);
      expect(result.problems.map(formatProblem)).toEqual(['sector-tier.csv:3: the population counts `tier` `seniour`, which is not one of its options (front_line, first_line, middle, senior); did you mean `senior`?']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it.each([
    ['{ min_base: 0, min_cell: 0 }', []],
    ['{ min_base: -1, min_cell: 3 }', ['pipelines/x.yaml:7: disclosure: min_base: must be 0 or more (0 withholds nothing)']],
    ['{ min_base: 10, min_cell: 2.5 }', ['pipelines/x.yaml:7: disclosure: min_cell: must be a whole number, 0 or more']],
  ])('accepts disclosure thresholds of 0 and refuses others that are not whole numbers of 0 or more: %s', async (rules, expected) => {
    expect(await check(`${head}disclosure: ${rules}\ntables:\n  - { id: a, input: individual, measure: tier }\n`)).toEqual(expected);
  });
});
