import type { CheckReport } from '@omt/contracts';
import type { CheckDefinition, CheckInput } from './check-kit';
import { customizationsCheck, mailboxCheck, missingFilesCheck, unlinkedDocumentsCheck } from './content-checks';
import { unsupportedColumnsCheck } from './schema-checks';
import { satelliteCheck, sentryCheck, travelCheck, versionCheck } from './installation-checks';
import { adminWithoutPlanCheck, userEmailDuplicateCheck, userEmailInvalidCheck } from './user-checks';

/** Every check of domain.md, blocking ones first. */
export const CHECKS: readonly CheckDefinition[] = [
  versionCheck,
  unsupportedColumnsCheck,
  userEmailDuplicateCheck,
  userEmailInvalidCheck,
  adminWithoutPlanCheck,
  travelCheck,
  satelliteCheck,
  sentryCheck,
  customizationsCheck,
  mailboxCheck,
  missingFilesCheck,
  unlinkedDocumentsCheck,
];

export function runChecks(input: CheckInput): CheckReport {
  const results = CHECKS.map((check) => check.run(input));
  return { results, blocked: results.some((r) => !r.passed && r.severity === 'block') };
}
