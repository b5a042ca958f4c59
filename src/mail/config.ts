/** Where mail goes and whom it is from: SMTP_URL and MAIL_FROM, checked before anything is sent. */
import { z } from 'zod';

export class MailConfigError extends Error {
  override name = 'MailConfigError';
}

export interface MailConfig {
  /** An smtp: or smtps: URL, as nodemailer takes it (user and password in it, if any). */
  smtpUrl: string;
  from: string;
}

const address = z.email();

/** The address inside `Name <address>`, or the whole value when it is a bare address. */
function bareAddress(from: string): string {
  const angled = /^[^<>]*<([^<>]+)>$/.exec(from.trim());
  return (angled ? angled[1]! : from).trim();
}

export function isEmailAddress(value: string): boolean {
  return address.safeParse(value).success;
}

export function mailConfigFromEnv(env: NodeJS.ProcessEnv): MailConfig {
  const smtpUrl = env.SMTP_URL?.trim();
  if (!smtpUrl) throw new MailConfigError('SMTP_URL is not set: give the mail server as e.g. smtp://127.0.0.1:2525 or smtps://user:password@mail.example.org');
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new MailConfigError('SMTP_URL is not a URL: give it as e.g. smtp://127.0.0.1:2525');
  }
  // Never echo the value: it may hold a password.
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new MailConfigError(`SMTP_URL must start smtp:// or smtps://, not ${url.protocol}//`);
  if (!url.hostname) throw new MailConfigError('SMTP_URL names no host: give it as e.g. smtp://127.0.0.1:2525');
  const from = env.MAIL_FROM?.trim();
  if (!from) throw new MailConfigError('MAIL_FROM is not set: give the sender as e.g. "Leading Together <survey@example.org>"');
  if (!isEmailAddress(bareAddress(from))) throw new MailConfigError(`MAIL_FROM is not an e-mail address: ${from}`);
  return { smtpUrl, from };
}
