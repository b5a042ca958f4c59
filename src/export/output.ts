/**
 * The files of one export, written beside their final names and renamed into place only when every
 * one of them is whole: an export that fails half-way (the database goes away, the disk fills)
 * leaves the folder as it was, with no half-written CSV that looks like a finished one.
 *
 * Decisions, and why:
 * - Each file is a temporary `.<name>.<pid>.tmp` in the target folder, so the rename is on one file
 *   system and so atomic; the leading dot keeps it out of an ordinary listing while it grows.
 * - Writes wait for the stream to drain, so a wave of any size passes through in pieces the size
 *   of a page of responses, never piling up in memory.
 * - The renames happen together at the end, after every stream has finished; a failure before them
 *   removes every temporary file. Two renames are not one atomic step, but nothing can fail between
 *   them save the machine itself.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface OutputFile {
  /** The final path. */
  path: string;
  /** Where the file is while it is written, for a writer that must go back over it. */
  temp: string;
  /** A stream to the temporary file, for writers (such as the xlsx one) that take a stream. */
  stream: WriteStream;
  write(text: string): Promise<void>;
  /** Waits until the stream has room again, for writers that write to `stream` themselves. */
  drained(): Promise<void>;
  /** Ends the stream and waits until the temporary file is on disk. */
  finish(): Promise<void>;
}

export class OutputFiles {
  private readonly files: { temp: string; file: OutputFile; failure: Promise<never> }[] = [];

  /** Opens a temporary file that becomes `path` when the export commits. */
  async open(path: string): Promise<OutputFile> {
    await mkdir(dirname(path), { recursive: true });
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    const stream = createWriteStream(temp, { flags: 'w' });
    const failure = new Promise<never>((_, reject) => stream.once('error', reject));
    failure.catch(() => undefined);
    const file: OutputFile = {
      path,
      temp,
      stream,
      write: async (text) => {
        if (text === '') return;
        if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failure]);
      },
      drained: async () => {
        if (stream.writableNeedDrain) await Promise.race([once(stream, 'drain'), failure]);
      },
      finish: async () => {
        if (!stream.writableFinished) {
          if (!stream.writableEnded) stream.end();
          await Promise.race([once(stream, 'finish'), failure]);
        }
      },
    };
    this.files.push({ temp, file, failure });
    return file;
  }

  /** Finishes every file and moves each to its final path. */
  async commit(): Promise<string[]> {
    for (const { file } of this.files) await file.finish();
    for (const { temp, file } of this.files) await rename(temp, file.path);
    return this.files.map(({ file }) => file.path);
  }

  /** Removes every temporary file; the final paths keep whatever they held before. */
  async abort(): Promise<void> {
    for (const { temp, file } of this.files) {
      file.stream.destroy();
      await unlink(temp).catch(() => undefined);
    }
  }
}
