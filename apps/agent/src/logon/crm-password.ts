import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * How the sample database stores CRM passwords. SuperOffice's own hashing of
 * `CRM5/PASSWORD` credentials is not public, so omt defines one scheme and
 * keeps it here: a `Credentials` row with `credentialType = 'CRM5/PASSWORD'`,
 * `isActive = 1`, `searchName` = the upper-cased login, and
 * `secret = scrypt$<salt hex>$<hash hex>` (scrypt N=1024 r=8 p=1, 32 bytes).
 * The cost is low on purpose: the sample hashes hundreds of users at build time.
 */
export const CRM_PASSWORD_CREDENTIAL_TYPE = 'CRM5/PASSWORD';
const SCRYPT = { N: 1024, r: 8, p: 1, keyLength: 32 } as const;

export function hashCrmPassword(password: string, salt: Buffer = randomBytes(16)): string {
  const hash = scryptSync(password.normalize('NFC'), salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export function verifyCrmPassword(password: string, secret: string): boolean {
  const [scheme, saltHex, hashHex] = secret.split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex || !/^[0-9a-f]+$/i.test(saltHex + hashHex)) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = scryptSync(password.normalize('NFC'), Buffer.from(saltHex, 'hex'), expected.length, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
  });
  return expected.length > 0 && timingSafeEqual(expected, actual);
}
