/**
 * A PostgreSQL cluster of a test's own, for tests that stop, restart or freeze the database: its
 * own data directory in a temporary folder and its own free port, never the shared server. Run as
 * the `postgres` OS user when the tests run as root, since PostgreSQL refuses to run as root.
 */
import { execFile as execFileCallback } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFile = promisify(execFileCallback);

/** The newest installed PostgreSQL's binaries, or why there are none to use. */
function findBinaries(): { bin: string } | { missing: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) return { missing: `no PostgreSQL server binaries (${root}/*/bin/initdb); install postgresql to run these tests` };
  if (userInfo().uid === 0) {
    if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return { missing: 'running as root without runuser to start PostgreSQL as another user' };
    if (!readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith('postgres:'))) {
      return { missing: 'running as root with no postgres user to start PostgreSQL as' };
    }
  }
  return { bin: join(root, versions[0]!, 'bin') };
}

const found = findBinaries();
/** Why these tests cannot run here, or undefined when they can. */
export const clusterUnavailable: string | undefined = 'missing' in found ? found.missing : undefined;

const asRoot = userInfo().uid === 0;

function postgresId(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user in /etc/passwd');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs one of PostgreSQL's programs as the user that owns the cluster. */
async function pgProgram(name: string, args: string[]): Promise<string> {
  if (!('bin' in found)) throw new Error(clusterUnavailable);
  const program = join(found.bin, name);
  const [command, commandArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  const { stdout } = await execFile(command, commandArgs, { cwd: tmpdir() });
  return stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  url: string;
  /** Stops the server as a restart or failover would (`fast` by default: sessions are ended). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops every process of the cluster with SIGSTOP: a server that hangs without closing anything. */
  freeze(): void;
  thaw(): void;
  /** Ends every other session on the cluster's database, as pg_terminate_backend does for an administrator. */
  terminateSessions(): Promise<number>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string): Promise<R[]>;
  dispose(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const home = mkdtempSync(join(tmpdir(), 'tapestry-cluster-'));
  const dataDir = join(home, 'data');
  if (asRoot) {
    const { uid, gid } = postgresId();
    chownSync(home, uid, gid);
  }
  await pgProgram('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const port = await freePort();
  // No Unix socket (its path would be the user's to choose); fsync off, since the tests stop the
  // server but never the machine, and a write the server has made survives its own restart.
  const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c max_connections=40`;
  const frozen: number[] = [];
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await pgProgram('pg_ctl', ['-D', dataDir, '-o', settings, '-l', join(home, 'log'), '-w', '-t', '60', 'start']);
    },
    async stop(mode = 'fast') {
      await pgProgram('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    freeze() {
      const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const pids = [postmaster, ...childrenOf(postmaster)];
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
      frozen.push(...pids);
    },
    thaw() {
      for (const pid of frozen.splice(0)) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone already
        }
      }
    },
    async terminateSessions() {
      const rows = await cluster.query<{ n: string }>(
        'select count(pg_terminate_backend(pid)) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      return Number(rows[0]!.n);
    },
    async query(text) {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    },
    async dispose() {
      cluster.thaw();
      await cluster.stop('immediate').catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}

/** The processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields resume after the last ')'.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}
