import {
  MIGRATION_STATE_WORDS,
  type AgentMode,
  type DocumentStatus,
  type ErrorCode,
  type JobName,
  type MigrationState,
  type QueueName,
  type TenantState,
} from '@omt/contracts';
import type { ClientErrorCode } from '../api/http';
import type { Tone } from '../health/health-format';

// The one place where codes become the words people read. Codes stay in
// data attributes and title tooltips, for tests and for telling support.

/** Words for the states, and a tone so the badge's colour agrees with them. */
export const STATE_LABELS: Record<MigrationState, string> = MIGRATION_STATE_WORDS;

export const STATE_TONES: Record<MigrationState, Tone> = {
  created: 'unknown',
  enrolled: 'unknown',
  checks_failed: 'down',
  ready: 'unknown',
  uploading: 'warn',
  importing: 'warn',
  verifying: 'warn',
  configuring: 'warn',
  completed: 'ok',
  completed_with_missing_documents: 'warn',
  recovering: 'warn',
  verification_failed: 'down',
  failed: 'down',
  cancelled: 'unknown',
};

export const MISSING_REASONS: Record<Exclude<DocumentStatus, 'ok'>, string> = {
  'missing-file': 'file not on disk',
  'blank-name': 'blank file name',
  'no-appointment': 'no appointment row',
  'owner-missing': 'owner does not exist',
};

export const TENANT_STATE_LABELS: Record<TenantState, string> = {
  migration_pending: 'migration pending',
  provisioning: 'provisioning',
  provisioning_failed: 'provisioning failed',
  running: 'running',
  suspended: 'suspended',
  online_maintenance: 'online maintenance',
  offline_maintenance: 'offline maintenance',
  deleting: 'being deleted',
};

/** What an agent starting now would do (chooseAgentMode). */
export const AGENT_MODE_LABELS: Record<AgentMode, string> = {
  initial: 'first upload',
  resume: 'resume the upload',
  recovery: 'recover missing documents',
  wait: 'wait for the cloud side',
  done: 'nothing left to do',
};

export const ERROR_LABELS: Record<ErrorCode | ClientErrorCode, string> = {
  VALIDATION_FAILED: 'Invalid input',
  UNAUTHENTICATED: 'Not logged in',
  ENROLLMENT_CODE_INVALID: 'Enrollment code not valid',
  AGENT_ACCESS_ENDED: "Agent access ended",
  LOGIN_FAILED: 'Login failed',
  FORBIDDEN: 'Not allowed',
  CROSS_ORIGIN_REFUSED: 'Refused from another site',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  TICKET_ALREADY_OPEN: 'A ticket is already open',
  STATE_TRANSITION_FORBIDDEN: 'Not possible in this state',
  LIVE_MIGRATION_COMPLETED: 'Live migration already completed',
  BATCH_CONFLICT: 'Batch conflict',
  TICKET_LEASED: 'Another agent works on this ticket',
  PAYLOAD_TOO_LARGE: 'Too large',
  UNSUPPORTED_MEDIA_TYPE: 'Wrong body format',
  CHECKSUM_MISMATCH: 'Checksum mismatch',
  BATCH_INVALID: 'Invalid batch',
  BATCH_PARTS_MISSING: 'Batch parts missing',
  ROW_TOO_LARGE: 'Row too large',
  PLAN_INVALID: 'Invalid plan',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  SERVICE_UNAVAILABLE: 'Service unavailable',
  STORAGE_FULL: 'Storage full',
  CONFIG_INVALID: 'Configuration invalid',
  SOURCE_UNREACHABLE: 'Onsite database unreachable',
  ADMIN_LOGON_REFUSED: 'Administrator logon refused',
  CHECKS_BLOCKING: 'Blocked by the checks',
  CHECKS_UNRESOLVED: 'Plan leaves check findings open',
  NAME_COLLISION: 'Names the tenant database cannot hold apart',
  ARCHIVE_UNUSABLE: 'Document archive folder unusable',
  API_NOT_FOUND: 'Not an omt API address',
  API_UNREACHABLE: 'API unreachable',
  UNEXPECTED_RESPONSE: 'Unexpected answer from the API',
};

export const JOB_LABELS: Record<JobName, string> = {
  'import.tableCreated': 'create a table',
  'import.batchReceived': 'import a batch of rows',
  'import.documentReceived': 'place a document',
  'verify.ticketUploaded': 'verify the upload',
  'configure.ticketVerified': 'apply the plan',
  'maintenance.retentionSweep': 'delete expired working copies',
};

export const QUEUE_LABELS: Record<QueueName, string> = {
  'omt-import': 'import',
  'omt-verify': 'verify',
  'omt-configure': 'configure',
  'omt-maintenance': 'maintenance',
};

/** Audit actions (the API names them like socket events, `entity.pastVerb`). */
const ACTION_LABELS: Record<string, string> = {
  'ticket.created': 'ticket opened',
  'ticket.stateChanged': 'state changed',
  'ticket.reset': 'test migration reset',
  'enrollment.codeIssued': 'enrollment code issued',
  'agent.enrolled': 'agent enrolled',
  'tenant.wiped': 'tenant wiped',
  'checks.stored': 'checks received',
  'plan.stored': 'plan received',
  'upload.started': 'upload started',
  'table.completed': 'table uploaded',
  'upload.completed': 'upload completed',
  'plan.applied': 'plan applied',
  'migrator.recorded': 'migrator recorded',
  'documents.renamed': 'documents renamed',
  'job.retried': 'job retried',
  'ticket.detailViewed': 'ticket page read',
  'workingCopies.purged': 'working copies deleted',
};

/** An action not listed yet still reads as words: `documents.renamed` → "documents renamed". */
export function actionLabel(action: string): string {
  return (
    ACTION_LABELS[action] ??
    action
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .replace(/[._]/g, ' ')
      .toLowerCase()
  );
}

/**
 * User plans of CRM Online by module name (domain.md). The plan itself
 * carries only the module; an unknown one is shown as it is.
 */
export const USER_PLAN_NAMES: Record<string, string> = {
  'ten-sales': 'Sales Premium',
  'ten-service': 'Service Premium',
  'ten-marketing': 'Marketing Premium',
  'ten-salesservicemarketing': 'Sales, Service and Marketing Premium',
  'sales-t1': 'Sales Essentials',
  'superlicense-contact-manager': 'Standard',
  'superlicense-no-selection': 'No plan selected',
};

export const planLabel = (moduleName: string): string => USER_PLAN_NAMES[moduleName] ?? moduleName;

/**
 * A long id or hash, short enough to read: a word prefix such as `batch-`
 * and the next 8 characters; the full value belongs in a title.
 */
export function shortId(id: string): string {
  const prefix = /^[a-z]+-/.exec(id)?.[0] ?? '';
  const rest = id.slice(prefix.length);
  return rest.length > 12 ? `${prefix}${rest.slice(0, 8)}…` : id;
}

/** `agent:<ticket id>` → "agent"; `ops:<email>` → the email; `sales:<key>` → "sales key <key>". */
export function actorLabel(actor: string): string {
  const [kind, ...rest] = actor.split(':');
  const who = rest.join(':');
  if (kind === 'agent') return 'the agent';
  if (kind === 'ops') return who;
  if (kind === 'sales') return `sales key ${who}`;
  return actor;
}

/** "state changed by the agent (upload started)": an audit line in one phrase. */
export function describeEvent(event: { action: string; actor: string; reason: string | null }): string {
  return `${actionLabel(event.action)} by ${actorLabel(event.actor)}${event.reason ? ` (${event.reason})` : ''}`;
}
