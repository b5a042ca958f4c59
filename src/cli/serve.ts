/** `tapestry serve`: the survey service, on the embedded database or DATABASE_URL. */
import type { Command } from 'commander';
import { buildServer, serve } from '../collect/server.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';
import { BUNDLED_SURVEYS, openWaves, publishAll } from './publish.ts';
import { loadInstruments } from './survey.ts';

export function serveCommand(program: Command, io: Io): void {
  program
    .command('serve')
    .description('publish the bundled instruments, make sure each has an open wave, and serve the surveys')
    .option('--port <port>', 'port to listen on (default PORT or 3000)')
    .option('--host <host>', 'address to listen on (default HOST or 127.0.0.1)')
    .option('--surveys <dir>', 'instruments to publish first', BUNDLED_SURVEYS)
    .action(async (opts: { port?: string; host?: string; surveys: string }) => {
      const port = Number(opts.port ?? io.env.PORT ?? 3000);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a port number, not ${opts.port ?? io.env.PORT}`);
      const host = opts.host ?? io.env.HOST ?? '127.0.0.1';
      const loaded = await loadInstruments(io, [opts.surveys]);
      // The server closes itself with grace on a signal; the store closes after it, on the way out.
      await withStore(
        io,
        program.opts(),
        async (store) => {
          await migrateToLatest(store);
          const rows = await publishAll(io, store, loaded);
          await openWaves(io, store, rows, String(io.now().getUTCFullYear()));
          const server = await buildServer({ store, logger: io.env.LOG !== '0' });
          const { address, closed } = await serve(server, port, host);
          io.out(`serving surveys at ${address.replace('127.0.0.1', 'localhost')}\n`);
          await closed;
        },
        { handleSignals: false },
      );
    });
}
