import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { openStore } from '../../src/store/open.ts';
import { captureIo } from '../support/io.ts';

// The command line on the embedded database, in a directory of its own.
describe('tapestry invite', () => {
  let dir: string;
  const env = { DATABASE_URL: '' };
  const tapestry = async (...args: string[]) => {
    const io = captureIo({ cwd: dir, env });
    const code = await run(['--data-dir', join(dir, 'data'), ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const invitationCount = async () => {
    const store = await openStore({ dataDir: join(dir, 'data') });
    try {
      return (await store.db.selectFrom('invitations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tapestry-invite-'));
    const io = captureIo({ cwd: join(import.meta.dirname, '..', '..'), env });
    expect(await run(['--data-dir', join(dir, 'data'), 'setup'], io)).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one distinct link per anonymous invitation', async () => {
    const { code, out, err } = await tapestry('invite', 'leadership-individual', '--wave', '2010', '--count', '3', '--base-url', 'https://survey.example.org/');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('link');
    expect(lines.slice(1)).toHaveLength(3);
    for (const line of lines.slice(1)) expect(line).toMatch(/^https:\/\/survey\.example\.org\/i\/[A-Za-z0-9_-]{43}$/);
    expect(new Set(lines).size).toBe(4);
    expect(err).toContain('3 invitations created for leadership-individual wave 2010');
  });

  it('creates invitations from a CSV of invitees with their attributes', async () => {
    writeFileSync(join(dir, 'invitees.csv'), 'email,sector,tier\na@example.org,public,senior\nb@example.org,voluntary,\n');
    const { code, out } = await tapestry('invite', 'leadership-individual', '--wave', '2010', '--from', 'invitees.csv');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('link,email,sector,tier');
    expect(lines[1]).toMatch(/^http:\/\/localhost:3000\/i\/[A-Za-z0-9_-]{43},a@example\.org,public,senior$/);
    expect(lines[2]).toMatch(/,b@example\.org,voluntary,$/);
  });

  it('refuses a CSV with an answer the question does not have, naming file and line, and creates nothing', async () => {
    const before = await invitationCount();
    writeFileSync(join(dir, 'bad.csv'), 'email,sector\na@example.org,public\nb@example.org,charity\n');
    const { code, err } = await tapestry('invite', 'leadership-individual', '--wave', '2010', '--from', 'bad.csv');
    expect(code).toBe(1);
    expect(err).toContain(`${join(dir, 'bad.csv')}:3: column \`sector\` has 'charity', which is not an answer to question \`sector\` (options: public, private, voluntary)`);
    expect(await invitationCount()).toBe(before);
  });

  it('names the waves an instrument has when the wave is unknown', async () => {
    const { code, err } = await tapestry('invite', 'leadership-individual', '--wave', '1999', '--count', '1');
    expect(code).toBe(1);
    expect(err).toContain('leadership-individual has no wave named 1999 (its waves: 2010)');
  });

  it('asks for exactly one of --count and --from', async () => {
    expect((await tapestry('invite', 'leadership-individual', '--wave', '2010')).err).toContain('give either --count N or --from FILE');
    expect((await tapestry('invite', 'leadership-individual', '--wave', '2010', '--count', '0')).err).toContain('--count must be a whole number from 1 to 100000, not 0');
  });
});
