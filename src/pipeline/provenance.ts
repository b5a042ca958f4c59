/**
 * What a manifest records of the files a run read: their paths as the project names them
 * (relative, with `/` on every system, so the manifest is the same on every machine) and hashes.
 */
import { createHash } from 'node:crypto';
import { relative, resolve, sep } from 'node:path';

export interface SourceFile {
  file: string;
  sha256: string;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** `file` relative to the working directory, with forward slashes. */
export const portable = (cwd: string, file: string): string => relative(cwd, resolve(cwd, file)).split(sep).join('/');

export const sourceFile = (cwd: string, file: string, content: string | Buffer): SourceFile => ({ file: portable(cwd, file), sha256: sha256(content) });
