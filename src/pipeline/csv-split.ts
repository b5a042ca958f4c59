/**
 * Where a large CSV can be cut in two so that each half is parsed on its own core: at the start
 * of a record near the middle. A line break inside a quoted cell is not a record boundary, so the
 * cut is the first line break after the middle at which the quotes seen so far are balanced (a
 * quote escaped as "" counts twice, so balance is still parity).
 */
import { open } from 'node:fs/promises';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/** The byte offset at which the second half starts, or undefined when there is no such place. */
export async function splitPoint(file: string, size: number): Promise<number | undefined> {
  const middle = Math.floor(size / 2);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 22);
    let quotes = 0;
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) return undefined;
      const chunk = buffer.subarray(0, bytesRead);
      // Before the middle only the quotes matter: indexOf finds them far faster than a loop.
      const scanFrom = Math.max(0, Math.min(bytesRead, middle - offset));
      for (let q = chunk.indexOf(QUOTE); q !== -1 && q < scanFrom; q = chunk.indexOf(QUOTE, q + 1)) quotes++;
      for (let i = scanFrom; i < bytesRead; i++) {
        const byte = chunk[i]!;
        if (byte === QUOTE) quotes++;
        else if (byte === NEWLINE && quotes % 2 === 0) {
          const start = offset + i + 1;
          return start < size ? start : undefined;
        }
      }
      offset += bytesRead;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
