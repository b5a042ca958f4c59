/**
 * The `tapestry` command: one file per verb, composed here. `run` returns the exit status instead
 * of exiting, so tests drive the real command in-process with captured output.
 */
import { Command, CommanderError } from 'commander';
import { StoreLockedError } from '../store/lock.ts';
import { UserError, processIo, type Io } from './io.ts';

type Register = (program: Command, io: Io, setExit: (code: number) => void) => void;

/**
 * Each verb's module, in the order `--help` lists them, loaded only when needed: the verbs between
 * them reach most of tapestry's dependencies (the service, charts, workbooks, the embedded
 * database), and loading all of them took seconds and hundreds of megabytes before any verb began
 * its work. A command line naming a verb loads that verb's module alone; anything else (no verb,
 * `--help`, `help`, a mistyped verb) loads them all, so the help and the suggestions list every verb.
 */
const VERBS: [verbs: string[], load: () => Promise<Register>][] = [
  [['migrate'], async () => (await import('./migrate.ts')).migrateCommand],
  [['survey'], async () => (await import('./survey.ts')).surveyCommand],
  [['publish', 'setup'], async () => {
    const { publishCommand, setupCommand } = await import('./publish.ts');
    return (program, io) => {
      publishCommand(program, io);
      setupCommand(program, io);
    };
  }],
  [['serve'], async () => (await import('./serve.ts')).serveCommand],
  [['wave'], async () => (await import('./wave.ts')).waveCommand],
  [['status'], async () => (await import('./status.ts')).statusCommand],
  [['invite'], async () => (await import('./invite.ts')).inviteCommand],
  [['mail'], async () => (await import('./mail.ts')).mailCommand],
  [['remind'], async () => (await import('./remind.ts')).remindCommand],
  [['responses'], async () => (await import('./responses.ts')).responsesCommand],
  [['run', 'verify'], async () => (await import('./run.ts')).runCommands],
  [['simulate'], async () => (await import('./simulate.ts')).simulateCommand],
  [['code'], async () => (await import('./code.ts')).codeCommand],
  [['token'], async () => (await import('./token.ts')).tokenCommand],
  [['user'], async () => (await import('./user.ts')).userCommand],
  [['weights'], async () => (await import('./weights.ts')).weightsCommand],
  [['export'], async () => (await import('./export.ts')).exportCommand],
  [['audit'], async () => (await import('./audit.ts')).auditCommand],
];

/** The verb the command line names: its first word that is neither an option nor `--data-dir`'s value. */
function verbOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--data-dir') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The program with the verbs `argv` needs (every verb when `argv` is not given). */
export async function buildProgram(io: Io, setExit: (code: number) => void, argv?: readonly string[]): Promise<Command> {
  const program = new Command('tapestry')
    .description('Leadership surveys, focus groups and reproducible reports')
    .option('--data-dir <dir>', 'where the embedded database keeps its files (default .tapestry, or TAPESTRY_DATA_DIR); ignored when DATABASE_URL is set')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run tapestry --help for usage)');
  const verb = argv === undefined ? undefined : verbOf(argv);
  const named = VERBS.filter(([verbs]) => verb !== undefined && verbs.includes(verb));
  for (const [, load] of named.length > 0 ? named : VERBS) (await load())(program, io, setExit);
  return program;
}

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = await buildProgram(io, (c) => (code = c), argv);
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
