/**
 * Forms sent as multipart/form-data (the only way a browser uploads a file), read whole while the
 * request's body is parsed, into the same shape as the URL-encoded forms: text fields as strings
 * (arrays when repeated), and each allowed file field as an `UploadedFile`.
 *
 * Decisions, and why:
 * - Read in a content-type parser, not with @fastify/multipart's `attachFieldsToBody`: that reads
 *   the parts in a preValidation hook of the plugin that registers it, and the workspace's CSRF
 *   check is a preValidation hook of the enclosing scope, so it runs first and finds no `_csrf`
 *   (tried: every upload was refused). A content-type parser runs before every preValidation
 *   hook, so the token is in `request.body` when the check reads it. The parts are split by
 *   @fastify/busboy, the parser @fastify/multipart itself stands on.
 * - Every part is taken as bytes and decoded here with a strict UTF-8 decoder, as the URL-encoded
 *   parser refuses what is not UTF-8, instead of being "repaired" into replacement characters.
 * - Limits are counted here, per part and in all, and refused with a 413 at once: busboy on its
 *   own cuts an over-long part short and carries on, which would leave half a file to check.
 * - Only the named file fields may carry a file; a file anywhere else is a form our pages never
 *   send, and is refused.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.ts';

export interface UploadedFile {
  kind: 'file';
  /** The name the browser gave, without its folders; '' when none was chosen. */
  filename: string;
  bytes: Buffer;
}

export type MultipartBody = Record<string, string | string[] | UploadedFile>;

export interface MultipartLimits {
  /** The fields that may carry a file, each at most once. */
  fileFields: readonly string[];
  fileBytes: number;
  /** Parts of any kind, files included. */
  parts: number;
  fieldBytes: number;
  /** Where an error page sends the person back to. */
  back: { href: string; text: string };
}

/** Whether a body value is an uploaded file. */
export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && (value as UploadedFile).kind === 'file';
}

type BusboyInstanceHeaders = IncomingHttpHeaders & { 'content-type': string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as UTF-8 text, or undefined when they are not UTF-8. A leading byte-order mark is dropped. */
export function utf8Text(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A whole number of bytes in words: "1 MB", "256 KB". */
function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** Reads a whole multipart body within `limits`. */
export function readMultipart(raw: Readable, headers: IncomingHttpHeaders, limits: MultipartLimits): Promise<MultipartBody> {
  const refuse = (status: number, title: string, message: string) => new HttpError(status, title, message, limits.back);
  const largest = Math.max(limits.fileBytes, limits.fieldBytes);
  // Everything the parts may hold, and room for their headers and boundaries, but no more: bytes
  // before the first part or after the last are not parts, and busboy would read them for ever.
  const totalBytes = limits.parts * (largest + 16 * 1024);

  return new Promise((resolve, reject) => {
    let busboy: BusboyInstance;
    try {
      busboy = new Busboy({
        headers: headers as BusboyInstanceHeaders,
        // Every part as bytes: decoded and measured below.
        isPartAFile: () => true,
        limits: { parts: limits.parts, files: limits.parts, fields: limits.parts, fileSize: largest + 1, fieldNameSize: 100, headerPairs: 20 },
      });
    } catch {
      reject(refuse(400, 'There is a problem with the form', 'The form was not sent as a complete multipart form. Go back and try again.'));
      return;
    }
    const body: MultipartBody = Object.create(null);
    const pending: Promise<void>[] = [];
    let received = 0;
    let settled = false;

    const fail = (error: HttpError) => {
      if (settled) return;
      settled = true;
      raw.unpipe(busboy);
      raw.removeListener('data', count);
      // The rest of the body is left unread: Node discards it once the response has been sent.
      reject(error);
    };
    const tooLarge = (what: string, limit: number) =>
      fail(refuse(413, 'The form is too large', `${what} may be at most ${size(limit)}. Nothing was checked or published.`));

    function count(chunk: Buffer) {
      received += chunk.length;
      if (received > totalBytes) tooLarge('The whole form', totalBytes);
    }
    raw.on('data', count);

    busboy.on('file', (name, stream, filename) => {
      const isFile = filename !== undefined;
      const allowed = isFile ? limits.fileFields.includes(name) : !limits.fileFields.includes(name);
      const limit = isFile ? limits.fileBytes : limits.fieldBytes;
      const chunks: Buffer[] = [];
      let bytes = 0;
      pending.push(
        new Promise<void>((done) => {
          stream.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > limit) {
              tooLarge(isFile ? `A file` : `The field \`${name}\``, limit);
              stream.resume();
              return;
            }
            chunks.push(chunk);
          });
          stream.on('end', () => {
            done();
            if (settled) return;
            if (!allowed || name in Object.prototype || (isFile && body[name] !== undefined)) {
              fail(refuse(400, 'There is a problem with the form', `The form has a field \`${name}\` this page does not take. Go back and try again.`));
              return;
            }
            const data = Buffer.concat(chunks);
            if (isFile) {
              body[name] = { kind: 'file', filename, bytes: data };
              return;
            }
            const text = utf8Text(data);
            if (text === undefined) {
              fail(refuse(400, 'There is a problem with the form', `The field \`${name}\` is not UTF-8 text. Go back and try again.`));
              return;
            }
            const existing = body[name];
            if (existing === undefined) body[name] = text;
            else if (Array.isArray(existing)) existing.push(text);
            else if (typeof existing === 'string') body[name] = [existing, text];
          });
        }),
      );
    });
    busboy.on('partsLimit', () => fail(refuse(413, 'The form is too large', `The form has more than ${limits.parts} parts, which this page does not take.`)));
    busboy.on('filesLimit', () => fail(refuse(413, 'The form is too large', `The form has more than ${limits.parts} parts, which this page does not take.`)));
    busboy.on('error', () => fail(refuse(400, 'There is a problem with the form', 'The form was not sent as a complete multipart form. Go back and try again.')));
    busboy.on('finish', () => {
      void Promise.all(pending).then(() => {
        if (settled) return;
        settled = true;
        raw.removeListener('data', count);
        resolve(body);
      });
    });
    raw.pipe(busboy);
  });
}

/**
 * Lets the routes of `fastify`'s scope (and only those) take multipart forms within `limits`. A
 * request for which `readable` says no is given an empty form without its body being read, so
 * that, say, nobody signed in can make the service read megabytes before being turned away.
 */
export function acceptMultipart(fastify: FastifyInstance, limits: MultipartLimits, readable: (request: FastifyRequest) => boolean = () => true): void {
  fastify.addContentTypeParser('multipart/form-data', (request, payload, done) => {
    if (!readable(request)) {
      done(null, Object.create(null));
      return;
    }
    readMultipart(payload, request.headers, limits).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    );
  });
}
