/** What a command may do to the outside world, passed in so that tests can capture it. */
import { userInfo } from 'node:os';
import { text as readAll } from 'node:stream/consumers';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now(): Date;
  /** All of standard input, for a secret that must not appear in the command's arguments. */
  readStdin(): Promise<string>;
  /** The system user running the command: the audit log names them. */
  username(): string;
}

/** The login name, or the environment's when the system has no entry for the user (as in some containers). */
function systemUsername(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.LOGNAME || `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    readStdin: () => readAll(process.stdin),
    username: () => systemUsername(process.env),
  };
}

/** A failure the user can fix: printed as a plain message, no stack, exit status 1. */
export class UserError extends Error {
  override name = 'UserError';
}
