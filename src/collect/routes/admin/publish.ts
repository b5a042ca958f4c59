/**
 * Publishing a version from the workspace, in two steps as `tapestry survey check` and
 * `tapestry publish` are two commands: the file (uploaded or pasted) is checked and shown, with
 * what it changes and a preview of every page, and only a second post publishes it.
 *
 * Decisions, and why:
 * - The text is sent again with the second post rather than kept on the server between the two:
 *   nothing is held for a check that is never confirmed, and the second post checks it again, so
 *   what is published is always what was just checked.
 * - The instrument is named inside the file, not in the address, so the hook can only check that
 *   the account may publish something: `publish` on this instrument is checked here, before
 *   anything about the instrument's published versions is shown.
 * - Line endings are made `\n` on arrival: browsers send a textarea's and a hidden field's lines
 *   with `\r\n`, so without it the text would change between the check and the publish.
 * - Multipart forms are taken in this scope only (see multipart-form.ts), so no other workspace
 *   route accepts an upload.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkInstrumentText } from '../../../instrument/check.ts';
import { diffInstruments } from '../../../instrument/diff.ts';
import { contentHash } from '../../../instrument/load.ts';
import { questionsOf, type Instrument } from '../../../instrument/schema.ts';
import { YamlSource, type Problem } from '../../../shared/yaml-source.ts';
import { accountActor, appendAudit } from '../../../store/audit.ts';
import { listVersionsOf, type VersionSummary } from '../../../store/instrument-history.ts';
import { publishInstrument, VersionConflictError } from '../../../store/instrument-versions.ts';
import { acceptMultipart, isUploadedFile, utf8Text } from '../../multipart-form.ts';
import { sourceLines } from '../../source-lines.ts';
import { instrumentHref, versionHref } from './addresses.ts';
import { field, formOf, type FieldProblem } from './forms.ts';
import { requirePermission } from './index.ts';
import { instrumentOf, introParagraphs } from './instruments.ts';
import { diffView, whenText, previewPages, shortHash } from './instrument-views.ts';

/** The largest instrument accepted, uploaded or pasted: the largest bundled one is under 20 KB. */
export const MAX_INSTRUMENT_BYTES = 1024 * 1024;
const PASTED_NAME = 'pasted.yaml';
const PUBLISH_PATH = '/admin/publish';

/** What was sent, or what is wrong with the form itself. */
type Submission = { text: string; file: string } | { problem: FieldProblem; text: string; file: string };

/** A file's name as shown in messages: no folders, no control characters, not too long. */
export function displayName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base.slice(0, 200);
}

function submission(body: unknown): Submission {
  const form = formOf(body);
  const upload = (body as Record<string, unknown> | null)?.file;
  const chosen = isUploadedFile(upload) && (upload.filename !== '' || upload.bytes.length > 0) ? upload : undefined;
  const pasted = field(form, 'source').replace(/\r\n?/g, '\n');
  const named = displayName(field(form, 'filename'));
  if (chosen) {
    const file = displayName(chosen.filename) || 'uploaded.yaml';
    if (pasted.trim() !== '') return { problem: { field: 'file', message: 'Upload a file or paste the text, not both' }, text: pasted, file };
    if (chosen.bytes.length === 0) return { problem: { field: 'file', message: `The file ${file} is empty` }, text: '', file };
    const text = utf8Text(chosen.bytes);
    if (text === undefined) return { problem: { field: 'file', message: `The file ${file} is not UTF-8 text: save it as UTF-8 and upload it again` }, text: '', file };
    return { text: text.replace(/\r\n?/g, '\n'), file };
  }
  const file = named || PASTED_NAME;
  if (pasted.trim() === '') return { problem: { field: 'file', message: 'Choose an instrument file to upload, or paste its text' }, text: '', file };
  if (Buffer.byteLength(pasted) > MAX_INSTRUMENT_BYTES) return { problem: { field: 'source', message: 'The text is larger than 1 MB, which is more than an instrument needs' }, text: '', file };
  return { text: pasted, file };
}

interface Refused {
  ok: false;
  status: number;
  text: string;
  file: string;
  /** A problem with the form itself, shown at its field. */
  fieldProblem?: FieldProblem;
  /** Problems in the text, shown beside their lines. */
  problems?: Problem[];
}

interface Checked {
  ok: true;
  text: string;
  file: string;
  instrument: Instrument;
  contentHash: string;
  versions: VersionSummary[];
  /** The same version, already published with the same content. */
  identical: VersionSummary | undefined;
}

/** Checks what was sent, and that the account may publish the instrument it names. */
async function examine(fastify: FastifyInstance, request: FastifyRequest): Promise<Refused | Checked> {
  const sent = submission(request.body);
  if ('problem' in sent) return { ok: false, status: 400, text: sent.text, file: sent.file, fieldProblem: sent.problem };
  const { text, file } = sent;
  const checked = checkInstrumentText(text, file);
  if (!checked.instrument) return { ok: false, status: 400, text, file, problems: checked.problems };
  const instrument = checked.instrument;
  requirePermission(request, 'publish', instrument.id);
  const hash = contentHash(instrument);
  const versions = await listVersionsOf(fastify.store.db, instrument.id);
  const same = versions.find((v) => v.version === instrument.version);
  if (same && same.content_hash !== hash) return { ok: false, status: 409, text, file, problems: [conflict(text, file, same)] };
  return { ok: true, text, file, instrument, contentHash: hash, versions, identical: same };
}

/** A version already published with other content, as a problem on the line that names the version. */
function conflict(text: string, file: string, published: Pick<VersionSummary, 'instrument_id' | 'version' | 'published_at'>): Problem {
  return {
    file,
    line: new YamlSource(text, file).line(['version']),
    message: `version ${published.version} of ${published.instrument_id} was published on ${whenText(published.published_at)} with different content; responses may already refer to it, so give the changed instrument a new version`,
  };
}

export async function publishRoutes(fastify: FastifyInstance) {
  const limits = {
    fileFields: ['file'],
    fileBytes: MAX_INSTRUMENT_BYTES,
    // A hidden field carries the text back with each line one byte longer (`\r\n`), and the
    // textarea may be used instead of a file; the text is measured again once read.
    fieldBytes: 2 * MAX_INSTRUMENT_BYTES,
    parts: 6,
    back: { href: PUBLISH_PATH, text: 'Go back to publishing' },
  };
  // The body is read before the hook decides: an upload from nobody signed in is not read at all,
  // and the hook sends them to sign in.
  acceptMultipart(fastify, limits, (request) => request.account !== null);

  const formPage = (reply: FastifyReply, refused?: Refused) => {
    const problems = refused?.problems ?? [];
    const lines = problems.length > 0 ? sourceLines(refused!.text, problems) : undefined;
    const lineOf = (line: number) => Math.min(Math.max(line, 1), lines?.length ?? 1);
    const errors = refused?.fieldProblem
      ? [{ text: refused.fieldProblem.message, href: `#${refused.fieldProblem.field}` }]
      : problems.map((p) => ({ text: `Line ${lineOf(p.line)}: ${p.message}`, href: `#line-${lineOf(p.line)}` }));
    const errorsByField: Record<string, string> = {};
    if (refused?.fieldProblem) errorsByField[refused.fieldProblem.field] = refused.fieldProblem.message;
    if (problems.length > 0) {
      errorsByField.source = `${refused!.file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}, shown beside ${problems.length === 1 ? 'its line' : 'their lines'} above: correct ${problems.length === 1 ? 'it' : 'them'} here, or upload the corrected file`;
    }
    return reply.code(refused?.status ?? 200).page('admin/publish.njk', {
      title: 'Publish a version',
      maxSize: '1 MB',
      text: refused?.text ?? '',
      file: refused && refused.file !== PASTED_NAME ? refused.file : undefined,
      lines,
      problemCount: problems.length,
      errors,
      errorsByField,
    });
  };

  const checkedPage = async (reply: FastifyReply, checked: Checked, title?: string) => {
    const { instrument, versions, identical } = checked;
    const latest = versions[versions.length - 1];
    let diff;
    if (!identical && latest) {
      const before = await instrumentOf(fastify, latest);
      diff = diffView(diffInstruments(before, instrument), before, instrument);
    }
    return reply.page('admin/publish-check.njk', {
      title: title ?? (identical ? `Version ${instrument.version} is already published` : `Check version ${instrument.version} of ${instrument.id}`),
      instrument,
      file: checked.file,
      text: checked.text,
      hash: shortHash(checked.contentHash),
      questionCount: questionsOf(instrument).length,
      state: identical ? 'identical' : latest ? 'new-version' : 'new-instrument',
      latest: latest && { version: latest.version, publishedAt: whenText(latest.published_at), count: versions.length },
      identical: identical && { publishedAt: whenText(identical.published_at), href: versionHref(instrument.id, identical.version) },
      instrumentHref: instrumentHref(instrument.id),
      diff,
      intro: introParagraphs(instrument),
      pages: previewPages(instrument),
    });
  };

  fastify.get('/publish', async (_request, reply) => formPage(reply));

  fastify.post('/publish/check', async (request, reply) => {
    const checked = await examine(fastify, request);
    if (!checked.ok) return formPage(reply, checked);
    return checkedPage(reply, checked);
  });

  fastify.post('/publish', async (request, reply) => {
    const checked = await examine(fastify, request);
    if (!checked.ok) return formPage(reply, checked);
    const account = requirePermission(request, 'publish', checked.instrument.id);
    if (checked.identical) return checkedPage(reply, checked);
    let published;
    try {
      // The version and its audit row together, or neither.
      published = await fastify.store.db.transaction().execute(async (trx) => {
        const result = await publishInstrument(trx, { instrument: checked.instrument, sourceText: checked.text, contentHash: checked.contentHash });
        if (result.created) {
          await appendAudit(trx, {
            ...accountActor(account, request.ip),
            at: fastify.now(),
            action: 'published',
            instrumentId: result.row.instrument_id,
            summary: `published ${result.row.instrument_id} ${result.row.version}`,
            details: { version: result.row.version, content_hash: result.row.content_hash, file: checked.file },
          });
        }
        return result;
      });
    } catch (error) {
      // Someone else published this version with other content between the check and now.
      if (!(error instanceof VersionConflictError)) throw error;
      const same = (await listVersionsOf(fastify.store.db, checked.instrument.id)).find((v) => v.version === checked.instrument.version)!;
      return formPage(reply, { ok: false, status: 409, text: checked.text, file: checked.file, problems: [conflict(checked.text, checked.file, same)] });
    }
    if (!published.created) {
      const versions = await listVersionsOf(fastify.store.db, checked.instrument.id);
      return checkedPage(reply, { ...checked, versions, identical: versions.find((v) => v.id === published.row.id) });
    }
    return reply.redirect(`${instrumentHref(published.row.instrument_id)}?published=${encodeURIComponent(published.row.version)}`, 303);
  });
}
