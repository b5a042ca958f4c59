import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIo } from '../support/io.ts';
import { backend, databaseUrl } from '../support/store.ts';

const root = join(import.meta.dirname, '..', '..');
const exec = promisify(execFile);

describe('survey commands', () => {
  it('prints the column layout of a bundled instrument as a CSV header', async () => {
    const io = captureIo({ cwd: root });
    expect(await run(['survey', 'columns', 'surveys/leadership-individual.yaml', '--format', 'header'], io)).toBe(0);
    const header = io.stdout().trim().split(',');
    expect(header.slice(0, 6)).toEqual(['response_id', 'wave', 'instrument_version', 'submitted_at', 'sector', 'tier']);
    expect(header).toContain('activities.coaching');
    expect(header).toContain('qual_type.svq');
  });

  it('refuses to print columns of a broken instrument and says where it is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapestry-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), readFileSync(join(root, 'surveys/leadership-individual.yaml'), 'utf8').replace("show_if: \"service_area = 'other'\"", "show_if: \"service_areas = 'other'\""));
    const io = captureIo({ cwd: dir });
    expect(await run(['survey', 'columns', 'bad.yaml'], io)).toBe(1);
    expect(io.stderr()).toMatch(/^tapestry: bad\.yaml:\d+: show_if names question `service_areas`, which does not exist; did you mean `service_area`\?\n$/);
    expect(io.stdout()).toBe('');
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects an unknown format with the choices', async () => {
    const io = captureIo({ cwd: root });
    expect(await run(['survey', 'columns', 'surveys/leadership-individual.yaml', '--format', 'xml'], io)).toBe(1);
    expect(io.stderr()).toContain("Allowed choices are table, csv, header");
  });

  it('runs through the installed bin script as `tapestry`', async () => {
    const { stdout } = await exec(process.execPath, [join(root, 'bin/tapestry.js'), 'survey', 'check', 'surveys'], { cwd: root });
    expect(stdout).toContain('surveys/leadership-individual.yaml: ok');
  });
});

describe(`setup, publish and migrate on ${backend}`, () => {
  let dataDir: string;
  let project: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // A copy of the project's surveys in a directory of its own, as a researcher's checkout would have.
    project = mkdtempSync(join(tmpdir(), 'tapestry-project-'));
    cpSync(join(root, 'surveys'), join(project, 'surveys'), { recursive: true });
    dataDir = join(project, 'data');
    env = {};
    if (databaseUrl) {
      const { default: pg } = await import('pg');
      const schema = `cli_${process.pid}_${Date.now()}`;
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      env = { DATABASE_URL: url.toString() };
    }
  });

  afterAll(async () => {
    rmSync(project, { recursive: true, force: true });
    if (databaseUrl) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`drop schema if exists ${new URL(env.DATABASE_URL!).searchParams.get('options')!.split('=')[1]} cascade`);
      await client.end();
    }
  });

  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: project, env });
    const code = await run(['--data-dir', dataDir, ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  it('sets up the database, publishes the bundled instruments and opens a wave for each', async () => {
    const { code, out, err } = await tapestry('setup');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/published {2}capabilities-self-assessment 1\.0/);
    expect(out).toMatch(/published {2}leadership-individual 1\.0/);
    expect(out).toMatch(/published {2}leadership-organisational 1\.1/);
    expect(out).toMatch(/opened +leadership-individual wave 2010/);
  });

  it.runIf(databaseUrl)('keeps its migration history in the schema the DATABASE_URL selects', async () => {
    const { default: pg } = await import('pg');
    const schema = new URL(env.DATABASE_URL!).searchParams.get('options')!.split('=')[1];
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query("select table_schema from information_schema.tables where table_name = 'kysely_migration' and table_schema in ($1, 'public')", [schema]);
    await client.end();
    expect(rows.map((r) => r.table_schema)).toEqual([schema]);
  });

  it('finds everything in place when set up again', async () => {
    const { code, out } = await tapestry('setup');
    expect(code).toBe(0);
    expect(out).not.toContain('published ');
    expect(out).toMatch(/unchanged {2}leadership-individual 1\.0/);
    expect(out).toMatch(/open +leadership-individual wave 2010/);
  });

  it('refuses to publish changed content under a version already published', async () => {
    const file = join(project, 'surveys/leadership-individual.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Which sector do you work in?', 'Which sector are you in?'));
    const { code, err } = await tapestry('publish', 'surveys/leadership-individual.yaml');
    expect(code).toBe(1);
    expect(err).toContain('leadership-individual version 1.0 is already published with different content');
  });

  it('publishes the changed instrument once it has a new version', async () => {
    const file = join(project, 'surveys/leadership-individual.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('version: "1.0"', 'version: "1.1"'));
    const { code, out } = await tapestry('publish', 'surveys/leadership-individual.yaml');
    expect(code).toBe(0);
    expect(out).toMatch(/published {2}leadership-individual 1\.1/);
  });

  it('opens a wave by invitation only, and refuses an access mode it does not know', async () => {
    const file = join(project, 'invited.yaml');
    writeFileSync(file, readFileSync(join(project, 'surveys/capabilities-self-assessment.yaml'), 'utf8').replace('id: capabilities-self-assessment', 'id: capabilities-invited'));
    const refused = await tapestry('publish', 'invited.yaml', '--open-wave', '2026', '--access', 'secret');
    expect(refused.code).toBe(1);
    expect(refused.err).toBe('tapestry: --access must be open or invitation, not secret\n');
    const alone = await tapestry('publish', 'invited.yaml', '--unlisted');
    expect(alone.code).toBe(1);
    expect(alone.err).toContain('give --open-wave NAME too');
    const badName = await tapestry('publish', 'invited.yaml', '--open-wave', 'spring 2026');
    expect(badName.code).toBe(1);
    expect(badName.err).toContain("a wave's name must start with a letter or digit");
    expect(badName.out).toBe('');

    const { code, out } = await tapestry('publish', 'invited.yaml', '--open-wave', '2026', '--access', 'invitation');
    expect(code).toBe(0);
    expect(out).toMatch(/opened +capabilities-invited wave 2026 \(by invitation only\)\n/);

    // The wave is open already: another mode is refused rather than reported as if it held.
    const again = await tapestry('publish', 'invited.yaml', '--open-wave', '2027');
    expect(again.code).toBe(1);
    expect(again.err).toContain('capabilities-invited already has an open wave, 2026 (by invitation only); no wave was opened');
  });

  it('refuses to trust a count of proxies when the service listens beyond this machine', async () => {
    const io = captureIo({ cwd: project, env: { ...env, TRUST_PROXY: '1' } });
    expect(await run(['--data-dir', dataDir, 'serve', '--host', '0.0.0.0', '--port', '0'], io)).toBe(1);
    expect(io.stderr()).toContain("TRUST_PROXY=1 trusts any client that connects, and the service listens on 0.0.0.0: list the proxies' addresses instead");
  });

  it('refuses a BASE_URL that is not an http or https address, before serving anything', async () => {
    const io = captureIo({ cwd: project, env: { ...env, BASE_URL: 'survey.example.org' } });
    expect(await run(['--data-dir', dataDir, 'serve', '--port', '0'], io)).toBe(1);
    expect(io.stderr()).toContain('BASE_URL must be an http or https address such as https://survey.example.org, not "survey.example.org"');
    expect(io.stdout()).toBe('');
  });

  it('reports migration status, and migrates down and up again', async () => {
    const all = ['0001_initial', '0002_service', '0003_wave_access', '0004_workspace', '0005_wave_targets', '0006_mail', '0007_mail_senders', '0008_api_tokens', '0009_response_statistics', '0010_response_weights', '0011_response_strata', '0012_response_sources'];
    const lines = (state: (name: string, i: number) => string) => all.map((name, i) => `${state(name, i)}  ${name}\n`).join('');
    expect((await tapestry('migrate', '--status')).out).toBe(lines(() => 'applied'));
    expect((await tapestry('migrate', '--down')).out).toBe('undone  0012_response_sources\n');
    expect((await tapestry('migrate', '--status')).out).toBe(lines((_, i) => (i < 11 ? 'applied' : 'pending')));
    expect((await tapestry('migrate', '--reset')).out).toBe('undone  0011_response_strata\nundone  0010_response_weights\nundone  0009_response_statistics\nundone  0008_api_tokens\nundone  0007_mail_senders\nundone  0006_mail\nundone  0005_wave_targets\nundone  0004_workspace\nundone  0003_wave_access\nundone  0002_service\nundone  0001_initial\n');
    expect((await tapestry('migrate', '--status')).out).toBe(lines(() => 'pending'));
    expect((await tapestry('migrate')).out).toBe(lines(() => 'applied'));
    expect((await tapestry('migrate')).out).toMatch(/: nothing to do\n$/);
  });
});
