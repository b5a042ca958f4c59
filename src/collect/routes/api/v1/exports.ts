/**
 * `GET …/waves/{wave}/export/{format}`: the main file of an export in one format, written by the
 * machinery of `tapestry export` and audited as it is.
 *
 * Decisions, and why:
 * - One file an answer, not an archive: tapestry has no zip library of its own to build one with,
 *   and every format has one file that is the point of it (the coded or labelled CSV, the workbook,
 *   the SPSS, Stata or R syntax, the Data Package descriptor). The syntax files and the descriptor
 *   read the coded CSV by its export name, which `export/csv` gives in its Content-Disposition:
 *   saved side by side under those names, the files work together as the command's folder does.
 * - The export is written whole into a temporary folder first, as the command writes it, and only
 *   then sent: a failure half-way is a problem+json answer, not a truncated file. The folder goes
 *   once the file has been sent.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EXPORT_FORMATS, exportFileNames, writeExport, type ExportFormat } from '../../../../export/bundle.ts';
import type { Instrument } from '../../../../instrument/schema.ts';
import { responsePages } from '../../../../store/response-pages.ts';
import { needs } from '../guard.ts';
import { problemResponses } from '../problem.ts';
import { WaveParams, WholeWaveQuery } from './schemas.ts';
import { recordExported, tokenActor, waveWithInstrument } from './wave-data.ts';
import { exportResponse } from '../../../../export/from-store.ts';

const CSV = 'text/csv; charset=utf-8';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SYNTAX = 'text/plain; charset=utf-8';

/** The file of an export that an answer gives for `format`, and its content type. */
function mainFile(instrument: Instrument, wave: string, format: ExportFormat): { name: string; type: string } {
  const names = exportFileNames(instrument, wave);
  switch (format) {
    case 'csv':
      return { name: names.csv, type: CSV };
    case 'labelled-csv':
      return { name: names.labelled, type: CSV };
    case 'xlsx':
      return { name: names.xlsx, type: XLSX };
    case 'spss':
      return { name: names.sps, type: SYNTAX };
    case 'stata':
      return { name: names.do, type: SYNTAX };
    case 'r':
      return { name: names.r, type: SYNTAX };
    case 'datapackage':
      return { name: names.datapackage, type: 'application/json; charset=utf-8' };
  }
}

export async function exportRoutes(root: FastifyInstance) {
  const fastify = root.withTypeProvider<ZodTypeProvider>();
  const db = () => fastify.store.db;
  const file = z.string().describe('the file');

  fastify.get(
    '/instruments/:instrument/waves/:wave/export/:format',
    {
      // A HEAD would write the export and be audited as one, for a file never sent.
      exposeHeadRoute: false,
      config: needs('responses'),
      schema: {
        tags: ['responses'],
        summary: 'The main file of an export of the wave, as `tapestry export --format` writes it',
        description:
          'csv and labelled-csv: the data; xlsx: the workbook (data and codebook); spss, stata, r: the syntax, which reads the coded CSV of `export/csv` saved beside it; datapackage: the descriptor of that CSV. The file name is in Content-Disposition.',
        params: WaveParams.extend({ format: z.enum(EXPORT_FORMATS).describe('one of tapestry export\'s formats') }),
        querystring: WholeWaveQuery,
        response: {
          200: {
            description: 'the file',
            content: { 'text/csv': { schema: file }, [XLSX]: { schema: file }, 'text/plain': { schema: file }, 'application/json': { schema: z.object({}).passthrough().describe('a Data Package descriptor') } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { wave, instrument } = await waveWithInstrument(db(), request.params);
      const { format } = request.params;
      const includePartial = request.query.include === 'partial';
      const dir = await mkdtemp(join(tmpdir(), 'tapestry-export-'));
      try {
        const store = db();
        async function* pages() {
          for await (const page of responsePages(store, wave.id, { includePartial })) yield page.map((r) => exportResponse(r, wave.name));
        }
        const result = await writeExport({ instrument, wave: wave.name, formats: [format], dir }, pages());
        await recordExported(db(), tokenActor(request), fastify.now(), {
          wave,
          instrument,
          format,
          includePartial,
          responses: result.responses,
          partial: result.partial,
          complete: true,
          files: result.files.map((f) => basename(f)),
        });
        const { name, type } = mainFile(instrument, wave.name, format);
        const stream = createReadStream(join(dir, name));
        stream.once('close', () => void rm(dir, { recursive: true, force: true }));
        // The schema describes the file; the type provider cannot know a stream of it is one.
        return (reply as FastifyReply).type(type).header('content-disposition', `attachment; filename="${name}"`).send(stream);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    },
  );
}
