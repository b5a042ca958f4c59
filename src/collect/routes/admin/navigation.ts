/** The workspace's navigation: only the areas the signed-in account may use. */
import type { Account } from '../../../store/accounts.ts';
import { allows, type Permission } from '../../authorisation.ts';

interface Area {
  href: string;
  text: string;
  needs: Permission | 'signed-in';
}

const AREAS: readonly Area[] = [
  { href: '/admin', text: 'Instruments', needs: 'read' },
  { href: '/admin/publish', text: 'Publish a version', needs: 'publish' },
  { href: '/admin/accounts', text: 'Accounts', needs: 'team' },
  { href: '/admin/audit', text: 'Audit log', needs: 'audit' },
  { href: '/admin/tokens', text: 'API tokens', needs: 'accounts' },
  { href: '/admin/account', text: 'Your account', needs: 'signed-in' },
];

export interface NavigationItem {
  href: string;
  text: string;
  active: boolean;
}

export function navigation(account: Account, url: string): NavigationItem[] {
  const path = url.split('?')[0] ?? url;
  const shown = AREAS.filter((area) => area.needs === 'signed-in' || allows(account, area.needs));
  // The longest matching address is the current area, so /admin/accounts is not also "Instruments".
  const current = shown
    .filter((area) => path === area.href || path.startsWith(`${area.href}/`))
    .sort((a, b) => b.href.length - a.href.length)[0];
  return shown.map((area) => ({ href: area.href, text: area.text, active: area === current }));
}
