/**
 * `tapestry verify`: is this report what its inputs make? Re-hashes every input and output the
 * manifest lists, reruns the pipeline into a scratch directory, and lists every difference.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PipelineError, runPipeline, type RunEffects } from './run.ts';

interface Manifest {
  pipeline: { file: string; sha256: string };
  run: { wave: string; inputs: Record<string, string> };
  inputs: Record<string, { instrument: { file: string; sha256: string }; responses: { source: string; sha256: string }; population?: { file: string; sha256: string } }>;
  focus_groups?: { files: { file: string; sha256: string }[] };
  trends?: { files: { file: string; sha256: string }[] };
  outputs: Record<string, string>;
}

const sha256File = (file: string) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : undefined);

export async function verifyReport(reportDir: string, cwd: string, effects: RunEffects): Promise<string[]> {
  const dir = resolve(cwd, reportDir);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    throw new PipelineError(`${reportDir}: there is no readable manifest.json; is this a report directory?`);
  }
  const differences: string[] = [];
  const checkFile = (what: string, file: string, expected: string) => {
    const actual = sha256File(resolve(cwd, file));
    if (actual === undefined) differences.push(`${what} ${file} is missing`);
    else if (actual !== expected) differences.push(`${what} ${file} has changed since the report was made`);
  };
  checkFile('the pipeline', manifest.pipeline.file, manifest.pipeline.sha256);
  for (const [name, input] of Object.entries(manifest.inputs)) {
    checkFile(`input ${name}'s instrument`, input.instrument.file, input.instrument.sha256);
    if (input.responses.source !== 'database') checkFile(`input ${name}'s responses`, input.responses.source, input.responses.sha256);
    if (input.population) checkFile(`input ${name}'s population counts`, input.population.file, input.population.sha256);
  }
  for (const source of manifest.focus_groups?.files ?? []) checkFile('focus-group source', source.file, source.sha256);
  for (const source of manifest.trends?.files ?? []) checkFile('earlier wave', source.file, source.sha256);
  for (const [name, hash] of Object.entries(manifest.outputs)) {
    const actual = sha256File(join(dir, name));
    if (actual === undefined) differences.push(`output ${name} is missing from the report`);
    else if (actual !== hash) differences.push(`output ${name} differs from the hash in the manifest (edited after the run?)`);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'tapestry-verify-'));
  try {
    await runPipeline({ pipelineFile: manifest.pipeline.file, wave: manifest.run.wave, inputs: manifest.run.inputs, outDir: join(scratch, 'report'), cwd }, effects);
    const rerun = JSON.parse(readFileSync(join(scratch, 'report', 'manifest.json'), 'utf8')) as Manifest;
    const names = new Set([...Object.keys(manifest.outputs), ...Object.keys(rerun.outputs)]);
    for (const name of [...names].sort()) {
      if (!(name in rerun.outputs)) differences.push(`rerun: ${name} is no longer produced`);
      else if (!(name in manifest.outputs)) differences.push(`rerun: ${name} is new`);
      else if (rerun.outputs[name] !== manifest.outputs[name]) differences.push(`rerun: ${name} comes out different`);
    }
    const manifestNow = readFileSync(join(scratch, 'report', 'manifest.json'));
    if (!manifestNow.equals(readFileSync(join(dir, 'manifest.json')))) differences.push('rerun: manifest.json comes out different (inputs, versions or the lockfile changed)');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return differences;
}
