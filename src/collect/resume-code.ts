/**
 * Resume codes for anonymous respondents: 16 characters of Crockford's base32 (80 bits), shown in
 * groups of four. Crockford's alphabet has no I, L, O or U, and reading a code back forgives the
 * confusions people make when copying one by hand.
 *
 * A response has one code for its life, derived from its id with a keyed hash (HMAC-SHA-256 under
 * the service's secret), so the code shown at the start can be shown again when the respondent
 * saves and leaves, without the code itself ever being stored: the database keeps only its hash,
 * and without the secret an id says nothing about its code. (The secret is kept in the same
 * database, in `settings`: whoever can read that can read the answers anyway.)
 */
import { createHmac } from 'node:crypto';
import { hashToken } from '../store/invitations.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The resume code of the response with this id. */
export function resumeCodeFor(secret: string, responseId: string): string {
  // A key of its own, derived from the service's secret, so that nothing the cookie signer makes
  // with that secret can ever be a resume code, or the other way round.
  const key = createHmac('sha256', secret).update('tapestry resume-code key', 'utf8').digest();
  return encodeCode(createHmac('sha256', key).update(responseId, 'utf8').digest().subarray(0, 10));
}

/** 10 bytes as 16 base32 characters in groups of four. */
function encodeCode(bytes: Uint8Array): string {
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
