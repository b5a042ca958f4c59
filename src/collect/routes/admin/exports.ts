/**
 * A wave's raw data from the workspace: the page says what each format holds, and its form answers
 * with the export as one zip to download — the same files `tapestry export` writes, with the same
 * `exported` audit row, through `exportWave`. Needs `responses` (analysts and up) on the
 * instrument in the address, which the hook checks: a viewer never gets a response.
 *
 * Decisions, and why:
 * - The files are written to a private temporary folder (page by page from the database, whole or
 *   not at all) and zipped from there as they are sent, so a large wave is never held in memory;
 *   the folder goes when the download ends, however it ends.
 * - The zip is the same bytes for the same data: entries in the order written, each dated
 *   1980-01-01 (the earliest a zip can say), so two downloads of a closed wave can be compared.
 * - A POST, not a link: an export is an action that is logged, and it carries the CSRF token.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import JSZip from 'jszip';
import { EXPORT_FORMATS, type ExportFormat } from '../../../export/bundle.ts';
import { exportWave } from '../../../export/from-store.ts';
import { accountActor } from '../../../store/audit.ts';
import { downloadName, instrumentHref, waveHref } from './addresses.ts';
import { fieldedWave } from './wave-lookup.ts';
import { field, formOf, problemViews } from './forms.ts';
import { signedIn } from './index.ts';

interface WaveParams {
  instrument: string;
  wave: string;
}

export const exportHref = (instrumentId: string, wave: string) => `${waveHref(instrumentId, wave)}/export`;

const CHOICES = [...EXPORT_FORMATS, 'all'] as const;
type Choice = (typeof CHOICES)[number];

/** What each choice gives, in the page's words. */
const MEANINGS: Record<Choice, { text: string; hint: string }> = {
  csv: { text: 'CSV', hint: 'One row per response, option codes as the instrument writes them, with the missing codes.' },
  'labelled-csv': { text: 'Labelled CSV', hint: 'The same, with option labels instead of codes: for reading, not for analysis.' },
  xlsx: { text: 'Excel workbook (.xlsx)', hint: 'A data sheet and a codebook sheet.' },
  spss: { text: 'SPSS or PSPP', hint: 'The CSV and a .sps file that reads it with labels, missing values and multiple-response sets, and saves a .sav.' },
  stata: { text: 'Stata', hint: 'The CSV and a .do file that reads it with labels.' },
  r: { text: 'R', hint: 'The CSV and an .R script that reads it into a data frame with factors and labels.' },
  datapackage: { text: 'Frictionless Data Package', hint: 'The CSV and a datapackage.json describing every column.' },
  all: { text: 'Everything', hint: 'Every one of the above in one folder.' },
};

// The earliest time a zip entry can carry; any fixed time would do, this one says "no time". No
// entry is made for the folder itself, which would carry the time of the download.
const ZIP_DATE = new Date(Date.UTC(1980, 0, 1));


export async function exportRoutes(fastify: FastifyInstance) {
  const db = () => fastify.store.db;

  const waveOf = (params: WaveParams) => fieldedWave(fastify, params);

  async function exportPage(request: FastifyRequest<{ Params: WaveParams }>, values: { format?: string; partial?: boolean } = {}, problem?: string) {
    const { wave, version } = await waveOf(request.params);
    const problems = problemViews(problem ? [{ field: 'format', message: problem }] : []);
    return {
      title: `Export wave ${wave.name} of ${version.title}`,
      instrument: { id: wave.instrument_id, title: version.title, href: instrumentHref(wave.instrument_id) },
      wave: { name: wave.name, href: waveHref(wave.instrument_id, wave.name) },
      action: exportHref(wave.instrument_id, wave.name),
      formats: CHOICES.map((choice) => ({ value: choice, text: MEANINGS[choice].text, hint: { text: MEANINGS[choice].hint }, checked: (values.format ?? 'csv') === choice })),
      partial: values.partial ?? false,
      ...problems,
    };
  }

  fastify.get<{ Params: WaveParams }>('/instruments/:instrument/waves/:wave/export', async (request, reply) => {
    signedIn(request);
    return reply.page('admin/export.njk', await exportPage(request));
  });

  fastify.post<{ Params: WaveParams }>('/instruments/:instrument/waves/:wave/export', async (request, reply) => {
    const account = signedIn(request);
    const { wave, instrument } = await waveOf(request.params);
    const form = formOf(request.body);
    const format = field(form, 'format');
    const includePartial = field(form, 'partial') === 'yes';
    if (!(CHOICES as readonly string[]).includes(format)) {
      return reply.code(400).page('admin/export.njk', await exportPage(request, { partial: includePartial }, 'Select what to export'));
    }
    const choice = format as Choice;
    const formats: ExportFormat[] = choice === 'all' ? [...EXPORT_FORMATS] : [choice];
    const dir = await mkdtemp(join(tmpdir(), 'tapestry-export-'));
    const cleanUp = () => rm(dir, { recursive: true, force: true });
    let files: string[];
    try {
      const folder = `${instrument.id}-${wave.name}`;
      const result = await exportWave(db(), accountActor(account, request.ip), fastify.now(), { instrument, wave, formats, asked: choice, includePartial, dir: join(dir, folder), folder: `download ${downloadName('zip', folder, choice)}` });
      files = result.files;
    } catch (error) {
      await cleanUp();
      throw error;
    }
    const zip = new JSZip();
    for (const file of files) zip.file(`${instrument.id}-${wave.name}/${basename(file)}`, createReadStream(file), { date: ZIP_DATE, binary: true, createFolders: false });
    const stream = zip.generateNodeStream({ type: 'nodebuffer', streamFiles: true, compression: 'DEFLATE', compressionOptions: { level: 6 } });
    // However the download ends — sent, failed or abandoned — the folder goes.
    // jszip's stream is an older Readable that may end without a close.
    stream.once('close', () => void cleanUp());
    stream.once('end', () => void cleanUp());
    reply.raw.once('close', () => void cleanUp());
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${downloadName('zip', instrument.id, wave.name, choice)}"`)
      .header('cache-control', 'no-store')
      .send(stream);
  });
}
