/**
 * The `tapestry` command: one file per verb, composed here. `run` returns the exit status instead
 * of exiting, so tests drive the real command in-process with captured output.
 */
import { Command, CommanderError } from 'commander';
import { StoreLockedError } from '../store/lock.ts';
import { auditCommand } from './audit.ts';
import { codeCommand } from './code.ts';
import { exportCommand } from './export.ts';
import { UserError, processIo, type Io } from './io.ts';
import { inviteCommand } from './invite.ts';
import { mailCommand } from './mail.ts';
import { migrateCommand } from './migrate.ts';
import { publishCommand, setupCommand } from './publish.ts';
import { remindCommand } from './remind.ts';
import { responsesCommand } from './responses.ts';
import { runCommands } from './run.ts';
import { serveCommand } from './serve.ts';
import { simulateCommand } from './simulate.ts';
import { statusCommand } from './status.ts';
import { surveyCommand } from './survey.ts';
import { tokenCommand } from './token.ts';
import { userCommand } from './user.ts';
import { weightsCommand } from './weights.ts';
import { waveCommand } from './wave.ts';

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('tapestry')
    .description('Leadership surveys, focus groups and reproducible reports')
    .option('--data-dir <dir>', 'where the embedded database keeps its files (default .tapestry, or TAPESTRY_DATA_DIR); ignored when DATABASE_URL is set')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run tapestry --help for usage)');
  migrateCommand(program, io);
  surveyCommand(program, io, setExit);
  publishCommand(program, io);
  setupCommand(program, io);
  serveCommand(program, io);
  waveCommand(program, io);
  statusCommand(program, io);
  inviteCommand(program, io);
  mailCommand(program, io);
  remindCommand(program, io);
  responsesCommand(program, io);
  runCommands(program, io, setExit);
  simulateCommand(program, io);
  codeCommand(program, io);
  tokenCommand(program, io);
  userCommand(program, io);
  weightsCommand(program, io);
  exportCommand(program, io);
  auditCommand(program, io);
  return program;
}

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    // The lock is checked here, once, rather than by each verb: any command that reaches the
    // embedded database, however it opens it, gets the same one line.
    if (error instanceof UserError || error instanceof StoreLockedError) {
      io.err(`tapestry: ${error.message}\n`);
      return 1;
    }
    io.err(`tapestry: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}
