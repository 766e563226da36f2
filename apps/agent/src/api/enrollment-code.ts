import { OmtError } from '@omt/contracts';

/**
 * The API issues 160 bits as 32 characters of Crockford's base32 (no I, L,
 * O or U) in groups of four (ops-api auth/secrets.ts). Checked before the
 * first request, so a code mistyped from an email is named as such instead
 * of being refused as "unknown" by the API.
 */
const CODE_LENGTH = 32;
const CODE_CHARACTERS = /^[0-9A-HJKMNP-TV-Z]*$/;
export const ENROLLMENT_CODE_EXAMPLE = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789';

export function assertEnrollmentCodeShape(code: string): void {
  const typed = code.toUpperCase().replace(/[\s-]/g, '');
  const shape = `an enrollment code is 8 groups of 4 letters and digits, like ${ENROLLMENT_CODE_EXAMPLE} (dashes and case do not matter)`;
  const wrong = (why: string) =>
    new OmtError(
      'ENROLLMENT_CODE_INVALID',
      `The enrollment code "${code}" ${why}: ${shape}. Copy it again from the email operations sent, or ask them for a new one.`,
    );
  if (!CODE_CHARACTERS.test(typed)) {
    const bad = [...new Set(typed.replace(/[0-9A-HJKMNP-TV-Z]/g, ''))].join(' ');
    throw wrong(`holds characters a code never has (${bad}; the letters I, L, O and U are not used)`);
  }
  if (typed.length !== CODE_LENGTH) throw wrong(`has ${typed.length} letters and digits instead of ${CODE_LENGTH}`);
}
