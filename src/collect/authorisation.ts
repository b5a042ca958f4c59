/**
 * Who may do what in the researchers' workspace. Pure: a role and the instruments an account is
 * limited to in, a yes or no out. The routes name the permission they need in one table
 * (`routes/admin/rules.ts`), and one hook asks `allows` before any handler runs.
 *
 * Decisions, and why:
 * - Permissions, not roles, are what routes ask for, so that a role can change what it covers in
 *   one place and a route never compares role names itself.
 * - An account limited to some instruments holds its role on those only. Pages that are not about
 *   one instrument (the list of instruments, the audit log) are open to it, and show only its own.
 * - `viewer` has `monitor` and nothing that shows an individual answer: previews show the
 *   questions, never a response, so `read` is safe for it.
 * - Managing accounts across the service is the admin's alone; an owner manages who works on its
 *   own instruments, which is `team`.
 */

import { ROLES, type Role } from '../store/database.ts';

export { ROLES, type Role };

export const ROLE_SUMMARIES: Record<Role, string> = {
  admin: 'everything, including every account',
  owner: 'everything on its instruments, including who else may work on them',
  editor: 'versions, waves and invitations',
  analyst: 'monitoring, exports and pipeline runs',
  viewer: 'monitoring figures only, never an individual response',
};

export const PERMISSIONS = [
  /** See an instrument, its versions, waves and previews. */
  'read',
  /** Check, preview and publish new versions. */
  'publish',
  /** Open, close and schedule waves; set their targets. */
  'waves',
  /** Create and send invitations and reminders. */
  'invite',
  /** Response counts by sector and tier, against targets. */
  'monitor',
  /** Individual responses and exports of them. */
  'responses',
  /** Run pipelines on the stored responses. */
  'pipeline',
  /** See the audit log of the instruments one works on. */
  'audit',
  /** Give and take away others' roles on one's instruments. */
  'team',
  /** Every account on the service. */
  'accounts',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  owner: ['read', 'publish', 'waves', 'invite', 'monitor', 'responses', 'pipeline', 'audit', 'team'],
  editor: ['read', 'publish', 'waves', 'invite', 'monitor'],
  analyst: ['read', 'monitor', 'responses', 'pipeline'],
  viewer: ['read', 'monitor'],
};

/** What `allows` needs to know of an account. */
export interface Principal {
  role: Role;
  /** The instruments the role holds on; empty for every instrument. */
  instruments: readonly string[];
}

export function grants(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** Whether the account holds the role on this instrument (on every one, when it is not limited). */
export function coversInstrument(principal: Principal, instrumentId: string): boolean {
  return principal.instruments.length === 0 || principal.instruments.includes(instrumentId);
}

/**
 * Whether `principal` may do what `permission` names: on `instrumentId` when given, or, for a page
 * about no one instrument, on at least one. `accounts` is never limited to instruments, since
 * accounts are the whole service's.
 */
export function allows(principal: Principal, permission: Permission, instrumentId?: string): boolean {
  if (!grants(principal.role, permission)) return false;
  if (permission === 'accounts') return principal.instruments.length === 0;
  return instrumentId === undefined || coversInstrument(principal, instrumentId);
}

/** The instruments of `all` whose pages `principal` may see for `permission`. */
export function visibleInstruments(principal: Principal, permission: Permission, all: readonly string[]): string[] {
  return all.filter((id) => allows(principal, permission, id));
}

/**
 * Whether `actor` may give `target` the role `role` on `instruments`: an admin may do anything;
 * an owner may hand out roles up to its own, on instruments it owns, to accounts limited to
 * those instruments, so that it can never reach beyond what it already holds.
 */
export function mayAssign(actor: Principal, role: Role, instruments: readonly string[]): boolean {
  if (allows(actor, 'accounts')) return true;
  if (!grants(actor.role, 'team')) return false;
  if (role === 'admin' || instruments.length === 0) return false;
  return instruments.every((id) => coversInstrument(actor, id));
}
