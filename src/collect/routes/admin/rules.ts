/**
 * Every route of the workspace and what it needs: the one table the authorisation hook reads.
 * A route that is not here is refused, whoever asks, so a route added without a rule cannot be
 * reached (and the test that walks the routes fails until it has one).
 *
 * `anyone`: the pages used before signing in. `signed-in`: any account. A permission: the
 * account's role must grant it — on the route's `:instrument` when the address names one, or on at
 * least one instrument otherwise (the page then shows only the instruments the account works on).
 */
import type { Permission } from '../../authorisation.ts';

export type Access = 'anyone' | 'signed-in' | Permission;

export const ADMIN_RULES: Readonly<Record<string, Access>> = {
  'GET /admin/sign-in': 'anyone',
  'POST /admin/sign-in': 'anyone',
  'GET /admin/set-password/:token': 'anyone',
  'POST /admin/set-password/:token': 'anyone',

  'GET /admin': 'signed-in',
  'POST /admin/sign-out': 'signed-in',
  'GET /admin/account': 'signed-in',
  'POST /admin/account/password': 'signed-in',

  'GET /admin/instruments/:instrument': 'read',
  'GET /admin/instruments/:instrument/versions/:version': 'read',
  'GET /admin/instruments/:instrument/diff': 'read',

  // The instrument is named inside the uploaded file: the handler checks `publish` on it.
  'GET /admin/publish': 'publish',
  'POST /admin/publish/check': 'publish',
  'POST /admin/publish': 'publish',

  'GET /admin/instruments/:instrument/waves/new': 'waves',
  'POST /admin/instruments/:instrument/waves': 'waves',
  'GET /admin/instruments/:instrument/waves/:wave': 'monitor',
  'POST /admin/instruments/:instrument/waves/:wave/close': 'waves',
  'POST /admin/instruments/:instrument/waves/:wave/targets': 'waves',
  // Invitees are people: only those who may invite see them, never a viewer.
  'GET /admin/instruments/:instrument/waves/:wave/invitations': 'invite',
  'GET /admin/instruments/:instrument/waves/:wave/invitations.csv': 'invite',
  'POST /admin/instruments/:instrument/waves/:wave/invitations': 'invite',
  'POST /admin/instruments/:instrument/waves/:wave/reminders': 'invite',
  // Responses themselves: analysts and up.
  'GET /admin/instruments/:instrument/waves/:wave/export': 'responses',
  'POST /admin/instruments/:instrument/waves/:wave/export': 'responses',

  // Whose account one may change depends on its instruments: the handlers check that too.
  'GET /admin/accounts': 'team',
  'POST /admin/accounts': 'team',
  'POST /admin/accounts/:account/access': 'team',
  'POST /admin/accounts/:account/remove': 'team',
  'POST /admin/accounts/:account/password-link': 'team',

  'GET /admin/audit': 'audit',

  // A token acts for nobody in particular: only those who may make accounts make tokens.
  'GET /admin/tokens': 'accounts',
  'POST /admin/tokens': 'accounts',
  'POST /admin/tokens/:token/revoke': 'accounts',
};

/** The rule for a request: HEAD is answered as GET is. */
export function ruleFor(method: string, url: string | undefined): Access | undefined {
  if (url === undefined) return undefined;
  return ADMIN_RULES[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
