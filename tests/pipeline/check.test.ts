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
    [`tables:\n  - { id: a, input: individual, measure: tier, by: [qual_type] }\n`, 'pipelines/x.yaml:8: table `a` is broken down by `qual_type` must be a single-choice or scale question, not multiple'],
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
});
