/**
 * Sending the outbox from inside the service, when the process gives it a mail server: started once
 * the app is ready, stopped as it closes (before the store is). Without mail settings it does nothing,
 * and `tapestry mail send` remains the way to send.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { MailConfig } from '../../mail/config.ts';
import { startMailWorker, type MailWorker } from '../../mail/worker.ts';

export interface MailSenderOptions {
  config: MailConfig;
  /** Where the service is reached, for the links in the messages. */
  baseUrl: string;
  intervalMs: number;
}

export const mailSender = fp(
  async function mailSenderPlugin(fastify: FastifyInstance, options: { mail?: MailSenderOptions | undefined }) {
    const { mail } = options;
    if (!mail) return;
    let worker: MailWorker | undefined;
    fastify.addHook('onReady', async () => {
      worker = startMailWorker({
        store: fastify.store,
        ...mail,
        now: () => fastify.now(),
        actor: { actor: 'tapestry serve (e-mail sender)', actorAccountId: null, address: null },
        log: fastify.log,
      });
    });
    fastify.addHook('onClose', async () => {
      await worker?.stop();
    });
  },
  { name: 'tapestry-mail-sender', fastify: '5.x', dependencies: ['tapestry-settings', 'tapestry-store'] },
);
