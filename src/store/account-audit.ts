/**
 * The audit rows of changes to accounts, written alike by `tapestry user` and the workspace's
 * accounts page, so that the log reads the same whichever was used.
 */
import type { Account } from './accounts.ts';
import type { Actor, NewAuditEntry } from './audit.ts';

/** "editor of every instrument", "analyst of leadership-individual and leadership-organisational". */
export function describeAccess(account: Pick<Account, 'role' | 'instruments'>): string {
  const { instruments } = account;
  if (instruments.length === 0) return `${account.role} of every instrument`;
  const list = instruments.length === 1 ? instruments[0]! : `${instruments.slice(0, -1).join(', ')} and ${instruments[instruments.length - 1]}`;
  return `${account.role} of ${list}`;
}

const who = (account: Account) => ({ account_id: account.id, email: account.email });

export function accountAddedEntry(actor: Actor, at: Date, account: Account, password: 'set' | 'link'): NewAuditEntry {
  return {
    ...actor,
    at,
    action: 'account-added',
    summary: `added ${account.email}, ${describeAccess(account)}${password === 'set' ? ', with a password' : ', with a set-password link'}`,
    details: { ...who(account), role: account.role, instruments: account.instruments, password },
  };
}

export function accountRemovedEntry(actor: Actor, at: Date, account: Account): NewAuditEntry {
  return {
    ...actor,
    at,
    action: 'account-removed',
    summary: `removed ${account.email} (${describeAccess(account)})`,
    details: { ...who(account), role: account.role, instruments: account.instruments },
  };
}

export function accessChangedEntry(actor: Actor, at: Date, before: Account, after: Account): NewAuditEntry {
  return {
    ...actor,
    at,
    action: 'role-changed',
    summary: `${after.email}: ${describeAccess(before)} → ${describeAccess(after)}`,
    details: { ...who(after), before: { role: before.role, instruments: before.instruments }, after: { role: after.role, instruments: after.instruments } },
  };
}

export function passwordLinkEntry(actor: Actor, at: Date, account: Account): NewAuditEntry {
  return { ...actor, at, action: 'password-link-created', summary: `made a set-password link for ${account.email}`, details: who(account) };
}
