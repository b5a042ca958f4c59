/** What a command may do to the outside world, passed in so that tests can capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now(): Date;
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

/** A failure the user can fix: printed as a plain message, no stack, exit status 1. */
export class UserError extends Error {
  override name = 'UserError';
}
