// `npm run bench:pipeline`: one million simulated individual responses through the bundled
// Leading Together pipeline, stage by stage, with the time of each stage and the peak memory.
// Target on a 2-core machine: under 10 s wall and 600 MB peak for the run (simulation excluded).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { checkPipelineText } from '../src/pipeline/check.ts';
import { parseCsvRange, readResponsesCsv } from '../src/pipeline/dataset.ts';
import { designFor } from '../src/pipeline/design-from-data.ts';
import { applyDisclosure } from '../src/pipeline/disclosure-step.ts';
import { computeTable } from '../src/pipeline/tables.ts';
import { renderReport } from '../src/pipeline/render-step.ts';
import type { ReportModel, TableResult } from '../src/report/model.ts';

const N = Number(process.env.BENCH_ROWS ?? 1_000_000);
const root = new URL('..', import.meta.url).pathname;
const dir = join(tmpdir(), `tapestry-bench-pipeline-${process.pid}`);
mkdirSync(dir, { recursive: true });

// BENCH_CSV names an individual-responses file made earlier by the same simulate command, to
// measure again without simulating again.
const simulated = process.env.BENCH_CSV ?? join(dir, 'individual.csv');
const organisations = join(dir, 'organisational.csv');
const started = performance.now();
for (const args of [
  ...(process.env.BENCH_CSV ? [] : [['simulate', 'surveys/leadership-individual.yaml', '--n', String(N), '--seed', '1', '--wave', '2010', '--out', simulated]]),
  ['simulate', 'surveys/leadership-organisational.yaml', '--n', '300', '--seed', '2', '--wave', '2010', '--out', organisations],
]) {
  // In a process of its own, so that the peak memory below is the run's alone.
  const result = spawnSync(process.execPath, [join(root, 'bin', 'tapestry.js'), ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(1);
}
console.log(`simulated ${N} responses in ${((performance.now() - started) / 1000).toFixed(1)} s (in another process; not part of the run)`);

const stages: [string, number][] = [];
const stage = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
  const t = performance.now();
  const result = await work();
  stages.push([name, (performance.now() - t) / 1000]);
  return result;
};
const runStarted = performance.now();
const file = join(root, 'pipelines', 'leading-together.yaml');
const { checked } = await stage('check pipeline and instruments', () => checkPipelineText(readFileSync(file, 'utf8'), 'pipelines/leading-together.yaml', root));
if (!checked) throw new Error('the bundled pipeline has problems');
const individual = await stage(`read ${N} responses`, () => readResponsesCsv(simulated, checked.instruments.individual!.instrument, { numeric: ['weight', 'population'], categorical: [] }));
const organisational = await readResponsesCsv(organisations, checked.instruments.organisational!.instrument, { numeric: ['weight', 'population'], categorical: [] });
if (!individual.dataset || !organisational.dataset) throw new Error(JSON.stringify([...individual.problems, ...organisational.problems].slice(0, 3)));
const data = { individual: individual.dataset, organisational: organisational.dataset };
// A million simulated responses outnumber the illustrative populations, so no fpc here.
const designs = await stage('designs', () => ({
  individual: designFor('individual', data.individual, { strata: 'sector', weight: 'weight' }),
  organisational: designFor('organisational', data.organisational, { strata: 'sector', weight: 'weight' }),
}));
const tables: TableResult[] = await stage(`${checked.pipeline.tables.length} tables`, () =>
  checked.pipeline.tables.map((t) => computeTable(t, checked.instruments[t.input]!.instrument, data[t.input as 'individual'], designs[t.input as 'individual'].design)),
);
const disclosed = await stage('disclosure control', () => applyDisclosure(tables, { minBase: 10, minCell: 3 }));
const model: ReportModel = {
  pipeline: { id: 'leading-together', title: checked.pipeline.title, wave: '2010' },
  headline: [],
  methods: { designs: [], intervals: '', disclosure: '', missing: '' },
  tables: disclosed.tables,
  suppressions: disclosed.suppressions,
};
await stage('render CSV, Markdown and HTML', () => renderReport(model));
const wall = (performance.now() - runStarted) / 1000;
const peak = process.resourceUsage().maxRSS / 1024;

// The baseline, measured after the peak above so that it cannot raise it: papaparse alone over the
// same file on one thread, keeping nothing, which is what reading would cost with no checks, no
// column arrays and no second core.
const baselineStarted = performance.now();
let baselineRows = 0;
await parseCsvRange(simulated, {}, () => void baselineRows++, () => undefined);
const baseline = (performance.now() - baselineStarted) / 1000;
const read = stages.find(([name]) => name.startsWith('read'))![1];

for (const [name, seconds] of stages) console.log(`${name.padEnd(36)} ${seconds.toFixed(2).padStart(7)} s`);
console.log(`${'run, wall'.padEnd(36)} ${wall.toFixed(2).padStart(7)} s   (target < 10 s)`);
console.log(`${'peak memory (max RSS)'.padEnd(36)} ${peak.toFixed(0).padStart(7)} MB  (target < 600 MB)`);
console.log(`${'baseline: bare papaparse, one thread'.padEnd(36)} ${baseline.toFixed(2).padStart(7)} s   (${baselineRows - 1} rows)`);
console.log(`${'read ÷ baseline'.padEnd(36)} ${(read / baseline).toFixed(2).padStart(7)}`);
rmSync(dir, { recursive: true, force: true });
