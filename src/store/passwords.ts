/**
 * Passwords: the rules a new one must meet, and hashing with argon2id (@node-rs/argon2, whose
 * prebuilt binaries install from the registry with nothing to compile).
 *
 * Decisions, and why:
 * - argon2id with 19 MiB, two passes and one lane: OWASP's first recommended setting, about 25 ms
 *   here, which a sign-in can afford and an attacker with a copied table cannot multiply cheaply.
 * - Passwords are compared in Unicode NFC, so the same password typed on two keyboards that
 *   compose accents differently is the same password.
 * - Length is counted in characters (code points), not bytes or UTF-16 units, as a person counts.
 *   A ceiling of 256 keeps a request from making the server hash megabytes.
 * - No rules about character classes (NIST SP 800-63B): length, and not being the e-mail address
 *   or one of the commonest passwords.
 */
import { hash, parseOptions, verify } from '@node-rs/argon2';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** The cost every new hash is made with; a hash made with another is redone at the next sign-in. */
const COST = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * The commonest passwords of twelve characters or more, from published breach lists; the shorter
 * common ones are refused by length already.
 */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789123',
  '123123123123',
  '111111111111',
  '000000000000',
  '121212121212',
  '987654321098',
  'aaaaaaaaaaaa',
  'abcdefghijkl',
  'abc123abc123',
  'password1234',
  'password12345',
  'password123!',
  'password123456',
  'passwordpassword',
  'passw0rdpassw0rd',
  'p@ssw0rd1234',
  'qwertyuiop12',
  'qwertyuiop123',
  'qwertyuiopasdf',
  'qwertyqwerty',
  'qwerty123456',
  '1qaz2wsx3edc',
  '1q2w3e4r5t6y',
  'asdfghjkl123',
  'zxcvbnm12345',
  'iloveyou1234',
  'letmein12345',
  'welcome12345',
  'welcome123456',
  'changeme1234',
  'administrator',
  'administrator1',
  'trustno1trustno1',
  'football1234',
  'baseball1234',
  'sunshine1234',
  'princess1234',
  'superman1234',
  'starwars1234',
  'monkey123456',
  'dragon123456',
  'master123456',
  'correcthorsebatterystaple',
]);

/** What is wrong with a new password for the account with this e-mail address, or undefined. */
export function passwordProblem(password: string, email: string): string | undefined {
  const normal = password.normalize('NFC');
  const length = [...normal].length;
  if (length < PASSWORD_MIN_LENGTH) return `the password must be at least ${PASSWORD_MIN_LENGTH} characters long (this one has ${length})`;
  if (length > PASSWORD_MAX_LENGTH) return `the password must be at most ${PASSWORD_MAX_LENGTH} characters long (this one has ${length})`;
  const lower = normal.toLowerCase();
  const address = email.trim().toLowerCase();
  if (lower === address || lower === address.split('@')[0]) return 'the password must not be the account’s e-mail address';
  if (COMMON_PASSWORDS.has(lower)) return 'the password is one of the commonest passwords, which are tried first: choose another';
  return undefined;
}

/** An argon2id hash in PHC form (`$argon2id$v=19$m=…`), with a salt of its own. */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), COST);
}

/** Whether `password` is the one `hashed` was made from; false, not an error, for a hash that is not one. */
export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password.normalize('NFC'));
  } catch {
    return false;
  }
}

/** Whether a hash was made with another cost than today's, and should be redone when the password is next known. */
export function needsRehash(hashed: string): boolean {
  try {
    const made = parseOptions(hashed);
    return made.memoryCost !== COST.memoryCost || made.timeCost !== COST.timeCost || made.parallelism !== COST.parallelism;
  } catch {
    return true;
  }
}

let decoy: Promise<string> | undefined;

/**
 * Spends one verification against a hash of nothing anyone knows, so that refusing an unknown
 * address, or an account with no password yet, takes as long as refusing a wrong password.
 */
export async function spendVerification(password: string): Promise<false> {
  decoy ??= hashPassword('a password that no account has');
  await verifyPassword(await decoy, password);
  return false;
}
