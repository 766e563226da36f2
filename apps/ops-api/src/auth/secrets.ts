import { createHash, randomBytes } from 'node:crypto';

/**
 * Every bearer secret (API key, agent token, session token, enrollment code)
 * carries 160 random bits, is shown once and stored only as its sha256: with
 * that much entropy a fast hash is enough, and a stolen table opens nothing.
 * The prefix tells a reader (and a secret scanner) what a leaked string is.
 */
export const SECRET_PREFIXES = { apiKey: 'omt_sk_', agentToken: 'omt_at_', session: 'omt_ss_' } as const;
export type SecretKind = keyof typeof SECRET_PREFIXES;

const SECRET_BYTES = 20;

export function newSecret(kind: SecretKind): string {
  return SECRET_PREFIXES[kind] + randomBytes(SECRET_BYTES).toString('base64url');
}

export function sha256(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

// Crockford's base32 without I, L, O, U: a migrator reads the code off an email or the phone.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An enrollment code: 160 bits as 32 base32 characters in groups of four (`ABCD-EFGH-...`). */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(SECRET_BYTES);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CODE_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** The form a code is hashed in: case, dashes and spaces as typed do not matter. */
export function normalizeEnrollmentCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}
