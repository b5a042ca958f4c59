// The same model gives the same bytes: twice in one process, and in another process started with
// another locale and time zone (the renderers must ask neither).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from './fixtures/render-all.ts';
import { sampleModel } from './fixtures/sample-model.ts';

const root = join(import.meta.dirname, '..', '..');
const script = join(import.meta.dirname, 'fixtures', 'render-sample.ts');

describe('rendering the same model', () => {
  it('gives identical outputs when rendered twice in one process', async () => {
    const first = await renderAll(sampleModel());
    const second = await renderAll(sampleModel());
    expect(Object.keys(first)).toEqual(['report.md', 'report.html', 'tables/coaching_by_tier.csv', 'tables/coaching_by_tier.tests.csv', 'charts/coaching_by_tier.svg', 'tables/staff_by_sector.csv', 'tables/staff_by_sector.tests.csv', 'charts/staff_by_sector.svg']);
    expect(second).toEqual(first);
  });

  it('gives byte-identical outputs in a child process with a German locale and another time zone', async () => {
    const here = await renderAll(sampleModel());
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', TZ: 'Pacific/Chatham' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const there = JSON.parse(stdout.toString('utf8')) as Record<string, string>;
    expect(Object.keys(there)).toEqual(Object.keys(here));
    for (const [name, content] of Object.entries(here)) expect(Buffer.from(there[name]!, 'utf8').equals(Buffer.from(content, 'utf8')), name).toBe(true);
  });
});
