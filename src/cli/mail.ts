/**
 * `tapestry mail message|send`: the wording of a wave's e-mails, and delivering the queue that
 * `invite --send` and `remind` fill. `tapestry serve` sends by itself when given SMTP_URL; this
 * command is for a study run without one (or from cron), and its exit status says how it went.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BUILT_IN_KEYS, placeholdersOf } from '../mail/compose.ts';
import { MailConfigError, mailConfigFromEnv } from '../mail/config.ts';
import { auditSending, sendDue } from '../mail/sender.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { setWaveMessage } from '../store/wave-messages.ts';
import { commandActor } from './actor.ts';
import { openWaveOf } from './wave-lookup.ts';
import { UserError, type Io } from './io.ts';
import { withStore } from './store-session.ts';

interface MessageOptions {
  wave: string;
  subject: string;
  body: string;
  reminder?: boolean;
}

interface SendOptions {
  limit?: string;
  baseUrl?: string;
}

export function mailCommand(program: Command, io: Io): void {
  const mail = program.command('mail').description("a wave's invitation e-mails: their wording, and sending the queue");

  mail
    .command('message')
    .description("sets the subject and plain-text body of a wave's invitation (or, with --reminder, reminder) e-mail")
    .argument('<instrument>', 'instrument id, e.g. leadership-individual')
    .requiredOption('--wave <name>', 'the wave')
    .requiredOption('--subject <text>', 'the subject line; placeholders as in the body')
    .requiredOption('--body <file>', 'a plain-text file: {link}, {decline_link}, {name}, {email} and any invitee CSV column as {column} are filled in')
    .option('--reminder', "the reminder's wording (without one, a reminder is the invitation with 'Reminder: ' before its subject)")
    .action(async (instrumentId: string, opts: MessageOptions) => {
      const file = resolve(io.cwd, opts.body);
      const body = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new UserError(`${opts.body}: cannot read the message: ${error.code === 'ENOENT' ? 'there is no such file' : error.message}`);
      });
      if (opts.subject.trim() === '') throw new UserError('--subject is empty');
      if (body.trim() === '') throw new UserError(`${opts.body} is empty`);
      // Without a link the invitee has no way in: refuse the wording rather than send it.
      if (!placeholdersOf(body).includes('link')) throw new UserError(`${opts.body} has no {link}: the message must carry the invitee's link`);
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const wave = await openWaveOf(store.db, instrumentId, opts.wave);
        await setWaveMessage(store.db, wave.id, opts.reminder ? 'reminder' : 'invitation', { subject: opts.subject.trim(), body });
        const others = placeholdersOf(`${opts.subject}\n${body}`).filter((k) => !(BUILT_IN_KEYS as readonly string[]).includes(k));
        io.err(
          `the ${opts.reminder ? 'reminder' : 'invitation'} of wave ${wave.name} of ${instrumentId} is set` +
            (others.length ? `; invitees' CSVs must have the columns ${others.join(', ')}` : '') +
            '\n',
        );
      });
    });

  mail
    .command('send')
    .description('delivers the queued e-mails over SMTP (SMTP_URL, MAIL_FROM), retrying temporary refusals later')
    .option('--limit <n>', 'at most this many messages in this run')
    .option('--base-url <url>', 'where the service is reached, for the links (default BASE_URL or http://localhost:3000)')
    .action(async (opts: SendOptions) => {
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UserError(`--limit must be a whole number of at least 1, not ${opts.limit}`);
      let config;
      try {
        config = mailConfigFromEnv(io.env);
      } catch (error) {
        if (error instanceof MailConfigError) throw new UserError(error.message);
        throw error;
      }
      const baseUrl = (opts.baseUrl ?? io.env.BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
      await withStore(io, program.opts(), async (store) => {
        await migrateToLatest(store);
        const summary = await sendDue(store, { config, baseUrl, limit, now: () => io.now() });
        await auditSending(store.db, summary, commandActor(io), io.now());
        io.err(`${summary.sent} sent, ${summary.failed} failed, ${summary.retrying} to be retried\n`);
      });
    });
}
