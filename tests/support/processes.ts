/**
 * `tapestry` as a person runs it: the service in one terminal, commands in another, each a process
 * of its own, on the same data (an embedded directory, or the DATABASE_URL schema in `env`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const TAPESTRY_BIN = join(ROOT, 'bin/tapestry.js');

export interface Finished {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `tapestry …` to its end; `stdin`, when given, is piped in and closed. */
export function tapestry(env: NodeJS.ProcessEnv, args: string[], stdin?: string): Promise<Finished> {
  const child = spawn(process.execPath, [TAPESTRY_BIN, ...args], { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

export interface Serving {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** http://127.0.0.1:PORT */
  address: string;
  err(): string;
  /** SIGTERM, then the exit status. */
  stop(): Promise<number | null>;
}

/** Starts `tapestry serve` on a free port and resolves once it says where it serves. */
export async function startServe(env: NodeJS.ProcessEnv): Promise<Serving> {
  const child = spawn(process.execPath, [TAPESTRY_BIN, 'serve'], { cwd: ROOT, env: { ...env, PORT: '0', LOG: '0' } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const match = /serving surveys at (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return {
    child,
    exited,
    address,
    err: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
