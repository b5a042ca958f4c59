/**
 * The sender that runs inside `tapestry serve`: it looks at the outbox every so often, sends what is
 * due, and writes each run's audit rows. It holds a sender lock for its life, so that if the process
 * is killed, whatever it had claimed is free for the next sender at once (see sender-lock.ts).
 *
 * A run that fails (the database or the mail server away) is logged and tried again at the next
 * look: the outbox keeps every message until it is sent or fails for good, so nothing is lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Actor } from '../store/audit.ts';
import type { Store } from '../store/open.ts';
import { holdSenderLock, type SenderLock } from '../store/sender-lock.ts';
import type { MailConfig } from './config.ts';
import { auditSending, sendDue, type SendSummary } from './sender.ts';

export interface MailWorkerOptions {
  store: Pick<Store, 'db' | 'kind'>;
  config: MailConfig;
  baseUrl: string;
  /** How long to wait between looks at the outbox. */
  intervalMs: number;
  now: () => Date;
  actor: Actor;
  log: {
    info(details: Record<string, unknown>, message: string): void;
    warn(details: { err: unknown }, message: string): void;
  };
}

export interface MailWorker {
  /** Stops after the message being sent, giving back what it had claimed and not tried. */
  stop(): Promise<void>;
}

/** Messages per run: each run writes its audit rows, so a killed process leaves at most this many unrecorded there. */
const RUN = 200;

export function startMailWorker(options: MailWorkerOptions): MailWorker {
  const stopping = new AbortController();
  const { signal } = stopping;
  let lock: SenderLock | undefined;

  const runOnce = async (): Promise<SendSummary> => {
    // A lock whose connection dropped (a database restart) no longer protects this sender's claims.
    if (lock && !(await lock.held())) {
      await lock.release().catch(() => undefined);
      lock = undefined;
    }
    lock ??= await holdSenderLock(options.store);
    return sendDue(options.store, { config: options.config, baseUrl: options.baseUrl, now: options.now, signal, lock, limit: RUN });
  };

  const loop = (async () => {
    while (!signal.aborted) {
      let more = false;
      try {
        const summary = await runOnce();
        if (summary.waves.length > 0) {
          await auditSending(options.store.db, summary, options.actor, options.now());
          options.log.info({ sent: summary.sent, failed: summary.failed, retrying: summary.retrying }, 'e-mail sent');
        }
        more = summary.sent + summary.failed + summary.retrying >= RUN;
      } catch (error) {
        options.log.warn({ err: error }, 'sending e-mail failed; the outbox keeps the messages and is looked at again shortly');
      }
      if (!more) await sleep(options.intervalMs, undefined, { signal }).catch(() => undefined);
    }
    await lock?.release().catch(() => undefined);
  })();

  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
