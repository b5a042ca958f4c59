import type { Io } from '../../src/cli/io.ts';

export interface CapturedIo extends Io {
  stdout(): string;
  stderr(): string;
}

/** An `Io` that records what a command prints, with a fixed clock, empty standard input and user `tester`. */
export function captureIo(overrides: Partial<Io> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    env: {},
    cwd: process.cwd(),
    now: () => new Date('2010-09-01T09:00:00Z'),
    readStdin: async () => '',
    username: () => 'tester',
    ...overrides,
    stdout: () => out,
    stderr: () => err,
  };
}
