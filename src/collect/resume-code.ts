/**
 * Resume codes for anonymous respondents: 16 characters of Crockford's base32 (80 random bits),
 * shown in groups of four. Crockford's alphabet has no I, L, O or U, and reading a code back
 * forgives the confusions people make when copying one by hand.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../store/invitations.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newResumeCode(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = 0; i < 16; i++) {
    code = ALPHABET[Number(bits & 31n)] + code;
    bits >>= 5n;
  }
  return code.match(/.{4}/g)!.join('-');
}

/** The canonical form of what a person typed, or undefined if it cannot be a code. */
export function normaliseResumeCode(input: string): string | undefined {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{16}$/.test(cleaned)) return undefined;
  return cleaned.match(/.{4}/g)!.join('-');
}

export function hashResumeCode(code: string): string {
  return hashToken(`resume:${code}`);
}
