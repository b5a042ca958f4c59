import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import JSZip from 'jszip';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listAudit } from '../../src/store/audit.ts';
import { saveProgress, startResponse, submitResponse } from '../../src/store/responses.ts';
import type { Browser } from '../support/browser.ts';
import { backend } from '../support/store.ts';
import { csrfOf, startWorkspace, type Workspace } from '../support/workspace.ts';

const INSTRUMENT = 'leadership-individual';
const WAVE = `/admin/instruments/${INSTRUMENT}/waves/2010`;
const PAGE = `${WAVE}/export`;
const FOLDER = `${INSTRUMENT}-2010`;
const ourFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('tapestry-export-')).length;

describe(`exporting a wave from the workspace on ${backend}`, () => {
  let ws: Workspace;
  let analyst: Browser;
  let viewer: Browser;

  /** Posts the export form as `browser` and gives the raw answer (a zip is not a page). */
  const download = async (browser: Browser, fields: [string, string][], csrf = true) => {
    const form = await browser.get(PAGE);
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const body = new URLSearchParams([...(csrf ? [['_csrf', csrfOf(form)] as [string, string]] : []), ...fields]).toString();
    return ws.app.inject({ method: 'POST', url: PAGE, payload: body, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
  };
  const exports = async () => (await listAudit(ws.store.db, { action: 'exported' })).length;

  beforeAll(async () => {
    ws = await startWorkspace();
    await ws.addAccount('an@example.org', 'analyst');
    await ws.addAccount('vi@example.org', 'viewer');
    analyst = await ws.signIn('an@example.org');
    viewer = await ws.signIn('vi@example.org');
    const waveId = ws.waveIds[INSTRUMENT]!;
    const versionId = (await ws.store.db.selectFrom('waves').select('instrument_version_id').where('id', '=', waveId).executeTakeFirstOrThrow()).instrument_version_id;
    const at = new Date('2010-09-14T10:00:00Z');
    for (const [sector, submitted] of [['public', true], ['private', true], ['voluntary', false]] as const) {
      const response = (await startResponse(ws.store.db, { waveId, instrumentVersionId: versionId, startedAt: at }))!;
      await saveProgress(ws.store.db, response.id, { answers: { sector, most_help: '=1+1 protected time' }, complete: submitted, currentPage: submitted ? null : 'about-you' }, at);
      if (submitted) await submitResponse(ws.store.db, response.id, at);
    }
  });
  afterAll(() => ws.dispose());

  it("links the export from the wave page for an analyst, and refuses a viewer the page and the download", async () => {
    expect((await analyst.get(WAVE)).$(`a[href="${PAGE}"]`).length).toBe(1);
    const viewed = await viewer.get(WAVE);
    expect(viewed.status).toBe(200);
    expect(viewed.$(`a[href="${PAGE}"]`).length).toBe(0);
    expect((await viewer.get(PAGE)).status).toBe(403);
    const before = await exports();
    const refused = await viewer.post(PAGE, [['_csrf', csrfOf(viewed)], ['format', 'csv']]);
    expect(refused.status).toBe(403);
    expect(await exports()).toBe(before);
  });

  it('downloads the SPSS export as one zip of the CSV, its syntax and the codebook, the same bytes twice, each download audited', async () => {
    const before = await exports();
    const folders = ourFolders();
    const first = await download(analyst, [['format', 'spss']]);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/zip');
    expect(first.headers['content-disposition']).toBe(`attachment; filename="${INSTRUMENT}-2010-spss.zip"`);
    const zip = await JSZip.loadAsync(first.rawPayload);
    expect(Object.keys(zip.files).sort()).toEqual([`${FOLDER}/${FOLDER}.csv`, `${FOLDER}/${FOLDER}.sps`, `${FOLDER}/codebook.csv`, `${FOLDER}/codebook.md`].sort());
    const rows = Papa.parse<Record<string, string>>(await zip.file(`${FOLDER}/${FOLDER}.csv`)!.async('string'), { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => r.sector).sort()).toEqual(['private', 'public']);
    // Text a spreadsheet would run is guarded, as in every CSV tapestry writes.
    expect(rows.map((r) => r.most_help)).toEqual(["'=1+1 protected time", "'=1+1 protected time"]);
    expect(await zip.file(`${FOLDER}/${FOLDER}.sps`)!.async('string')).toContain('VARIABLE LABELS');
    const second = await download(analyst, [['format', 'spss']]);
    expect(Buffer.compare(second.rawPayload, first.rawPayload)).toBe(0);
    expect(await exports()).toBe(before + 2);
    const [entry] = await listAudit(ws.store.db, { action: 'exported' });
    expect(entry).toMatchObject({ actor: 'an@example.org', instrumentId: INSTRUMENT, wave: '2010', summary: `exported 2 submitted responses of wave 2010 of ${INSTRUMENT} as spss` });
    // The folder each export was written to goes once its download has been sent.
    await vi.waitFor(() => expect(ourFolders()).toBe(folders));
  });

  it('includes the responses in progress when asked', async () => {
    const answer = await download(analyst, [['format', 'csv'], ['partial', 'yes']]);
    expect(answer.statusCode).toBe(200);
    const zip = await JSZip.loadAsync(answer.rawPayload);
    const rows = Papa.parse<Record<string, string>>(await zip.file(`${FOLDER}/${FOLDER}.csv`)!.async('string'), { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => [r.sector, r.submitted_at === '' ? 'partial' : 'submitted']).sort()).toEqual([['private', 'submitted'], ['public', 'submitted'], ['voluntary', 'partial']]);
  });

  it('refuses a download without its CSRF token or with no format chosen, and logs nothing', async () => {
    const before = await exports();
    expect((await download(analyst, [['format', 'csv']], false)).statusCode).toBe(403);
    const none = await download(analyst, [['format', 'sas']]);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Select what to export');
    expect(none.body).toContain('href="#format"');
    expect(await exports()).toBe(before);
  });
});
