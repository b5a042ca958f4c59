import { describe, expect, it } from 'vitest';
import { allows, mayAssign, PERMISSIONS, ROLES, visibleInstruments, type Permission, type Role } from '../../src/collect/authorisation.ts';

const everywhere = (role: Role) => ({ role, instruments: [] as string[] });

describe('what each role may do', () => {
  // Written out by hand from the roles' descriptions, so that a change to the grants shows here.
  const expected: Record<Role, Permission[]> = {
    admin: [...PERMISSIONS],
    owner: ['read', 'publish', 'waves', 'invite', 'monitor', 'responses', 'pipeline', 'audit', 'team'],
    editor: ['read', 'publish', 'waves', 'invite', 'monitor'],
    analyst: ['read', 'monitor', 'responses', 'pipeline'],
    viewer: ['read', 'monitor'],
  };

  for (const role of ROLES) {
    it(`gives ${role} exactly what its description says`, () => {
      const granted = PERMISSIONS.filter((permission) => allows(everywhere(role), permission, 'leadership-individual'));
      expect(granted).toEqual(expected[role]);
    });
  }

  it('never lets a viewer see an individual response', () => {
    expect(allows(everywhere('viewer'), 'responses', 'leadership-individual')).toBe(false);
    expect(allows(everywhere('viewer'), 'responses')).toBe(false);
  });
});

describe('accounts limited to some instruments', () => {
  const editor = { role: 'editor' as const, instruments: ['leadership-individual'] };

  it('holds the role on its instruments and nothing on others', () => {
    expect(allows(editor, 'waves', 'leadership-individual')).toBe(true);
    expect(allows(editor, 'waves', 'leadership-organisational')).toBe(false);
    expect(allows(editor, 'read', 'leadership-organisational')).toBe(false);
  });

  it('sees only its own instruments in a list', () => {
    expect(visibleInstruments(editor, 'read', ['leadership-individual', 'leadership-organisational'])).toEqual(['leadership-individual']);
  });

  it('does not let a limited admin manage the whole service’s accounts', () => {
    expect(allows({ role: 'admin', instruments: ['leadership-individual'] }, 'accounts')).toBe(false);
    expect(allows(everywhere('admin'), 'accounts')).toBe(true);
  });
});

describe('who may hand out roles', () => {
  const owner = { role: 'owner' as const, instruments: ['leadership-individual'] };

  it('lets an owner give roles on its own instruments', () => {
    expect(mayAssign(owner, 'editor', ['leadership-individual'])).toBe(true);
    expect(mayAssign(owner, 'owner', ['leadership-individual'])).toBe(true);
  });

  it('refuses an owner a role on another instrument, on every instrument, or the admin role', () => {
    expect(mayAssign(owner, 'editor', ['leadership-organisational'])).toBe(false);
    expect(mayAssign(owner, 'editor', [])).toBe(false);
    expect(mayAssign(owner, 'admin', ['leadership-individual'])).toBe(false);
  });

  it('refuses every role without the team permission', () => {
    for (const role of ['editor', 'analyst', 'viewer'] as const) {
      expect(mayAssign(everywhere(role), 'viewer', ['leadership-individual'])).toBe(false);
    }
  });

  it('lets an admin give any role anywhere', () => {
    expect(mayAssign(everywhere('admin'), 'admin', [])).toBe(true);
  });
});
