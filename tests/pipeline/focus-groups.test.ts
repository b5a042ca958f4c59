// The qualitative stage of a pipeline, run for real: transcripts, human coding, automatic coding
// of what nobody coded, theme tables through disclosure control, quotes, and the report sections.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError, runPipeline, type RunResult } from '../../src/pipeline/run.ts';

const root = join(import.meta.dirname, '..', '..');
const quiet = { log: () => undefined };

const transcript = (group: string, sector: string, turns: string) => `---
group: ${group}
method: focus group
sector: ${sector}
---
Facilitator: What does leadership mean in your service?

${turns}
`;

/** A project of its own: the bundled surveys, a small pipeline, and the files a test writes. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapestry-focus-'));
  cpSync(join(root, 'surveys'), join(dir, 'surveys'), { recursive: true });
  cpSync(join(root, 'pipelines', 'codebooks'), join(dir, 'codebooks'), { recursive: true });
  cpSync(join(root, 'reports', 'leading-together', 'inputs'), join(dir, 'inputs'), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}

const pipeline = (focus: string) => `id: fg-test
title: Focus group test
wave: "2010"
inputs:
  individual: { instrument: surveys/leadership-individual.yaml, responses: inputs/individual-2010.csv }
tables:
  - { id: tiers, input: individual, measure: tier }
focus_groups:
${focus}
`;

describe('the bundled pipeline’s focus groups', () => {
  let dir: string;
  let result: RunResult;
  const read = (name: string) => readFileSync(join(dir, 'out', name), 'utf8');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-focus-bundled-'));
    for (const sub of ['surveys', 'pipelines']) cpSync(join(root, sub), join(dir, sub), { recursive: true });
    // The segments file is a working file, written only when asked for.
    const file = join(dir, 'pipelines', 'leading-together.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}  export_segments: true\n`);
    const inputs = join(root, 'reports', 'leading-together', 'inputs');
    result = await runPipeline(
      { pipelineFile: 'pipelines/leading-together.yaml', inputs: { individual: join(inputs, 'individual-2010.csv'), organisational: join(inputs, 'organisational-2010.csv') }, outDir: join(dir, 'out'), cwd: dir },
      quiet,
    );
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes theme tables in the tidy layout, by sector, by method and together', () => {
    for (const id of ['theme-segments-by-sector', 'theme-groups-by-sector', 'theme-segments-by-method', 'theme-groups-by-method', 'theme-co-occurrence']) {
      const lines = read(`tables/${id}.csv`).trim().split('\n');
      expect(lines[0]).toBe('table,domain,category,base_n,cell_n,estimate,se,ci_low,ci_high,deff,suppressed');
      expect(lines.length).toBeGreaterThan(5);
    }
    const rows = Papa.parse<Record<string, string>>(read('tables/theme-groups-by-method.csv'), { header: true, skipEmptyLines: true }).data;
    // Groups are the eight transcripts; free-text answers are segments, not groups.
    expect(rows.find((r) => r.domain === 'all' && r.category === 'complexity')!.base_n).toBe('8');
    expect(rows.find((r) => r.domain === 'method=survey free text')!.base_n).toBe('0');
    expect(rows.find((r) => r.domain === 'method=telephone interview')!.base_n).toBe('1');
  });

  it('marks every automatic code as auto and keeps human codes for the transcripts', () => {
    const rows = Papa.parse<Record<string, string>>(read('coding/segments.csv'), { header: true, skipEmptyLines: true }).data;
    const transcriptRows = rows.filter((r) => r.segment_id!.includes('#'));
    const surveyRows = rows.filter((r) => r.segment_id!.startsWith('organisational.barriers:'));
    expect(transcriptRows.length).toBeGreaterThan(80);
    expect(transcriptRows.every((r) => r.origin === 'human')).toBe(true);
    expect(surveyRows.length).toBeGreaterThan(100);
    expect(surveyRows.every((r) => r.origin === 'auto')).toBe(true);
    for (const r of surveyRows.filter((r) => r.code !== '')) expect(Number(r.strength)).toBeGreaterThanOrEqual(0.5);
  });

  it('never lets a name on the redaction list into any output', () => {
    const names = readFileSync(join(root, 'pipelines', 'coding', 'redactions.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const transcripts = readFileSync(join(root, 'pipelines', 'transcripts', 'leading-together', 'fg-public-2.txt'), 'utf8');
    expect(transcripts).toContain('Agnes');
    for (const file of result.files.filter((f) => f !== 'manifest.json')) {
      for (const name of names) expect(read(file), `${name} in ${file}`).not.toContain(name);
    }
    expect(read('coding/segments.csv')).toContain('[name]');
  });

  it('gives each theme its definition, counts, chart and attributed quotes in both reports', () => {
    const model = result.model.qualitative!;
    expect(model.themes.map((t) => t.id)).toEqual(['all-levels', 'authority', 'whole-systems', 'collaborative', 'complexity']);
    for (const theme of model.themes) {
      expect(theme.quotes.length).toBeGreaterThan(0);
      expect(theme.counts[0]!.domain).toBe('all');
    }
    const html = read('report.html');
    const md = read('report.md');
    expect(html).toContain('Theme 1: Leadership at all levels');
    expect(html).toMatch(/\(Public sector focus group participant, simulated transcript\)/);
    expect(html).toContain('aria-label="Chart: Leadership at all levels: share of coded segments"');
    expect(md).toContain('## Theme 5: ');
    expect(md).toMatch(/^> \(Forum of people who use services and carers, consultation, simulated transcript\)/m);
    // Theme counts are of segments and groups, without intervals, and say so.
    expect(md).toMatch(/^\| All coded segments \|/m);
    expect(md).toMatch(/^\| All groups \|/m);
    expect(md).not.toMatch(/## Themes in the coded segments[^#]*All respondents/);
    expect(html).toContain('Share of the base');
    expect(model.agreement.at(-1)!.code).toBe('all');
    expect(model.agreement.at(-1)!.kappa).toBeGreaterThan(0.5);
  });

  it('says on the title page and under every quote that the responses and transcripts are simulated', () => {
    const note = "Simulated data, not real results: the survey responses (individual and organisational) were generated by tapestry simulate; the 8 focus-group transcripts were written as examples, so their quotes are no real participant's words.";
    expect(read('report.md')).toContain(`Wave: 2010\n\n> ${note}\n`);
    expect(read('report.html')).toContain(`<p class="simulated"><strong>${note.replace(/'/g, '&#39;')}</strong></p>`);
    expect(read('report.html')).toContain('<title>Leadership activity and development needs – 2010 (simulated data)</title>');
    const attributions = result.model.qualitative!.themes.flatMap((t) => t.quotes.map((q) => q.attribution));
    expect(attributions.length).toBeGreaterThan(4);
    for (const attribution of attributions) expect(attribution).toMatch(/, simulated (transcript|response)$/);
    const md = read('report.md');
    expect(md.match(/^> \(.*\)/gm)!.every((line) => /, simulated (transcript|response)\)/.test(line))).toBe(true);
    const manifest = JSON.parse(read('manifest.json'));
    expect(manifest.inputs.individual.responses.simulated).toBe(true);
  });

  it('records every qualitative source in the manifest with its hash', () => {
    const manifest = JSON.parse(read('manifest.json')) as { focus_groups: { files: { file: string; sha256: string }[] } };
    const files = manifest.focus_groups.files.map((f) => f.file);
    expect(files).toContain('pipelines/codebooks/leading-together.yaml');
    expect(files).toContain('pipelines/coding/leading-together.csv');
    expect(files).toContain('pipelines/coding/redactions.txt');
    expect(files.filter((f) => f.startsWith('pipelines/transcripts/'))).toHaveLength(8);
  });
});

describe('a pipeline’s focus groups with bad or unusual sources', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const runIn = async (files: Record<string, string>) => {
    const dir = project(files);
    dirs.push(dir);
    return runPipeline({ pipelineFile: 'pipeline.yaml', outDir: join(dir, 'out'), cwd: dir }, quiet);
  };
  const failure = async (files: Record<string, string>) => {
    const error = await runIn(files).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    return (error as Error).message;
  };
  const good = {
    't/a.txt': transcript('fg-a', 'public', 'P1: Everyone on the team leads in their own way, not only the managers at the top.\n\nP2: Budgets are cut every year and the regulation keeps changing, so we are always firefighting.'),
    't/b.txt': transcript('fg-b', 'private', 'P1: We work with the health board and housing as partners, sharing the decisions about each person.'),
  };

  it('reports a coded segment that does not exist at its line, and a facilitator turn as not codable', async () => {
    const message = await failure({
      ...good,
      'coding.csv': 'segment_id,coder,code\nfg-a#2,ann,all-levels\nfg-a#9,ann,complexity\nfg-a#1,ann,complexity\n',
      'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  coding: coding.csv'),
    });
    expect(message).toContain('coding.csv:3: there is no segment fg-a#9 in the transcripts or free-text answers');
    expect(message).toContain("coding.csv:4: fg-a#1 is a facilitator's turn, which is not coded");
  });

  it('reports a code the codebook lacks, and a malformed transcript, with file and line', async () => {
    const message = await failure({
      ...good,
      't/c.txt': '---\ngroup: fg-c\nmethod: focus group\nsector: public\n---\nP1: fine\n\nthis line has no speaker\n',
      'coding.csv': 'segment_id,coder,code\nfg-a#2,ann,all-levelz\n',
      'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  coding: coding.csv'),
    });
    expect(message).toMatch(/coding\.csv:2: .*all-levelz.*did you mean `all-levels`/);
    expect(message).toMatch(/t\/c\.txt:8: /);
  });

  it('reports a transcript pattern that matches nothing and a missing file at the lines that name them', async () => {
    const message = await failure({ 'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: nowhere/*.txt\n  redact: names.txt\n  auto: true') });
    expect(message).toContain('pipeline.yaml:10: focus_groups: no transcript matches nowhere/*.txt');
    expect(message).toContain('pipeline.yaml:11: focus_groups: cannot read the redaction list names.txt: there is no such file');
  });

  it('refuses a block that would code nothing, a `by` named twice, and a `by` no segment has', async () => {
    const nothing = await failure({ ...good, 'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  by: [sector, sector]') });
    expect(nothing).toContain('pipeline.yaml:8: focus_groups has neither `coding` (people’s codes) nor `auto: true`');
    expect(nothing).toMatch(/pipeline\.yaml:11: focus_groups\.by names `sector` twice/);
    const misspelt = await failure({ ...good, 'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  auto: true\n  by: [sectr]') });
    expect(misspelt).toMatch(/pipeline\.yaml:12: focus_groups\.by names `sectr`, which no segment has \(they have: .*sector/);
  });

  it('checks rows that apply no code as well: they too must name a segment', async () => {
    const message = await failure({
      ...good,
      'coding.csv': 'segment_id,coder,code\nfg-a#2,ann,all-levels\nfg-a#7,ann,\n',
      'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  coding: coding.csv'),
    });
    expect(message).toContain('coding.csv:3: there is no segment fg-a#7 in the transcripts or free-text answers');
  });

  it('redacts names in attribute values and defuses formula-like text in the segments file', async () => {
    const located = transcript('fg-c', 'public', 'P1: =HYPERLINK("http://example.org") is how leadership at all levels starts, with everyone.').replace('sector: public', 'sector: public\nlocation: Kirkton Mains');
    const result = await runIn({
      ...good,
      't/c.txt': located,
      'names.txt': 'Kirkton Mains\n',
      'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  redact: names.txt\n  auto: true\n  by: [sector, location]\n  export_segments: true'),
    });
    const out = join(result.dir);
    for (const file of result.files) expect(readFileSync(join(out, file), 'utf8'), file).not.toContain('Kirkton');
    const segments = readFileSync(join(out, 'coding', 'segments.csv'), 'utf8');
    expect(segments).toContain('[name]');
    expect(segments).toContain(`"'=HYPERLINK(""http://example.org"")`);
  });

  it('codes segments exported by another tool beside the transcripts, and refuses an id used twice', async () => {
    const exported = 'segment_id,text,group,sector,method\nnv-1,"We share the budget with the health board and plan services together, as partners.",nv-group,voluntary,focus group\nnv-2,"Nobody knows what next year brings; the rules change and the money shrinks.",nv-group,voluntary,focus group\n';
    const coding = 'segment_id,coder,code\nnv-1,ann,collaborative\nnv-2,ann,complexity\nfg-a#2,ann,all-levels\n';
    const result = await runIn({ ...good, 'export.csv': exported, 'coding.csv': coding, 'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  segments: [export.csv]\n  coding: coding.csv\n  disclosure: { min_base: 1, min_cell: 1 }') });
    const table = result.model.qualitative!.tables.find((t) => t.id === 'theme-segments-by-sector')!;
    expect(table.cells.find((c) => c.domain === 'sector=voluntary' && c.category === 'collaborative')).toMatchObject({ base_n: 2, cell_n: 1 });
    const groups = result.model.qualitative!.tables.find((t) => t.id === 'theme-groups-by-sector')!;
    // fg-a and the exported group; fg-b was coded by nobody, and automatic coding is off.
    expect(groups.cells.find((c) => c.domain === 'all' && c.category === 'complexity')!.base_n).toBe(2);

    const clash = 'segment_id,text\nfg-a#2,"A turn with the id of a transcript turn."\n';
    const message = await failure({ ...good, 'export.csv': clash, 'pipeline.yaml': pipeline('  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  segments: [export.csv]\n  auto: true') });
    expect(message).toMatch(/export\.csv:2: segment id fg-a#2 is used already \(at t\/a\.txt:\d+\)/);
  });

  it('counts a theme under `all` consensus only where every coder applied it', async () => {
    const coding = 'segment_id,coder,code\nfg-a#2,ann,all-levels\nfg-a#2,bob,all-levels\nfg-a#3,ann,complexity\nfg-a#3,bob,\nfg-b#2,ann,collaborative\nfg-b#2,bob,collaborative\n';
    const count = async (consensus: string) => {
      const result = await runIn({ ...good, 'coding.csv': coding, 'pipeline.yaml': pipeline(`  codebook: codebooks/leading-together.yaml\n  transcripts: t/*.txt\n  coding: coding.csv\n  consensus: ${consensus}\n  disclosure: { min_base: 1, min_cell: 1 }`) });
      const table = result.model.qualitative!.tables.find((t) => t.id === 'theme-segments-by-sector')!;
      return table.cells.find((c) => c.domain === 'all' && c.category === 'complexity')!.cell_n;
    };
    expect(await count('any')).toBe(1);
    expect(await count('all')).toBe(0);
  });
});
