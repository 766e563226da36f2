import { z } from 'zod';

/**
 * The pre-migration checks. A `block` finding stops the upload until it is
 * fixed; a `warn` finding is shown to the migrator and sent with the report.
 */
export const checkSeveritySchema = z.enum(['block', 'warn']);
export type CheckSeverity = z.infer<typeof checkSeveritySchema>;

export const CHECK_IDS = [
  'version-supported',
  'columns-unsupported',
  'user-email-duplicate',
  'user-email-invalid',
  'admin-without-plan',
  'users-on-travel',
  'active-satellites',
  'sentry-preferences',
  'customizations',
  'customer-service-mailboxes',
  'documents-missing-files',
  'documents-unlinked',
] as const;
export const checkIdSchema = z.enum(CHECK_IDS);
export type CheckId = z.infer<typeof checkIdSchema>;

export const checkResultSchema = z.object({
  id: checkIdSchema,
  severity: checkSeveritySchema,
  title: z.string(),
  passed: z.boolean(),
  /** Names the users, documents or tables involved; a short confirmation when passed. */
  message: z.string(),
  /** The users (login ids), documents (`document 12`) or tables the finding is about. */
  subjects: z.array(z.string()),
  /** How to fix it; empty when passed. */
  fix: z.string(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const checkReportSchema = z.object({
  results: z.array(checkResultSchema),
  /** True when at least one `block` check failed: the migration cannot start. */
  blocked: z.boolean(),
}).meta({ description: 'The results of the pre-migration checks.' });
export type CheckReport = z.infer<typeof checkReportSchema>;
