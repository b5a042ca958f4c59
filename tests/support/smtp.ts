/**
 * A real SMTP server for tests (smtp-server), whose messages are read back with mailparser. It
 * refuses any address at refused.example with 550 and at later.example with 451. `received` holds
 * what it accepted, in order; a message arriving while `holding` is set gets no answer at all (its
 * sender waits, as on a server that has stopped answering), and is kept in `held`, not `received`.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  url: string;
  received: ParsedMail[];
  held: ParsedMail[];
  /** Called with the count of `received` after each message is accepted. */
  listeners: ((n: number) => void)[];
  /** Decides, as each message arrives, whether to leave it unanswered. */
  holding: (() => boolean) | undefined;
  /** Called as each message is held. */
  onHold: (() => void) | undefined;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const smtp: Omit<TestSmtp, 'url' | 'close'> = { received: [], held: [], listeners: [], holding: undefined, onHold: undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@refused.example')) return callback(Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 }));
      if (address.address.endsWith('@later.example')) return callback(Object.assign(new Error('4.2.1 Try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          if (smtp.holding?.()) {
            smtp.held.push(mail);
            smtp.onHold?.();
            return;
          }
          smtp.received.push(mail);
          // Recorded before the reply: a listener that stops the sender here stops it after acceptance.
          for (const listener of smtp.listeners) listener(smtp.received.length);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(smtp, {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** The first address a message was sent to. */
export const recipient = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value[0]!.address!;
