import { z } from 'zod';
import { OmtError } from './errors';

/**
 * The life of one migration ticket. Upload and import overlap (workers load
 * batches while the agent still sends), so `uploading` covers both until the
 * agent has sent its last piece; `importing` is the queue draining after that.
 */
export const MIGRATION_STATES = [
  'created',
  'enrolled',
  'checks_failed',
  'ready',
  'uploading',
  'importing',
  'verifying',
  'configuring',
  'completed',
  'completed_with_missing_documents',
  'recovering',
  'verification_failed',
  'failed',
  'cancelled',
] as const;
export const migrationStateSchema = z
  .enum(MIGRATION_STATES)
  .meta({ description: 'Where the migration is (the state machine in docs/domain.md).' });
export type MigrationState = z.infer<typeof migrationStateSchema>;

/** The words people read for each state (codes stay in JSON, logs and data attributes). */
export const MIGRATION_STATE_WORDS: Record<MigrationState, string> = {
  created: 'created',
  enrolled: 'enrolled',
  checks_failed: 'checks failed',
  ready: 'ready',
  uploading: 'uploading',
  importing: 'importing',
  verifying: 'verifying',
  configuring: 'configuring',
  completed: 'completed',
  completed_with_missing_documents: 'completed, documents missing',
  recovering: 'recovering',
  verification_failed: 'verification failed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const MIGRATION_KINDS = ['test', 'live'] as const;
export const migrationKindSchema = z.enum(MIGRATION_KINDS).meta({
  description:
    '`test`: a trial run, may be reset and repeated. `live`: the real move; the tenant goes live at the end and is never reset.',
  examples: ['test'],
});
export type MigrationKind = z.infer<typeof migrationKindSchema>;

/** Forward moves of a migration, whatever its kind. */
const FORWARD: Record<MigrationState, readonly MigrationState[]> = {
  created: ['enrolled', 'cancelled'],
  enrolled: ['checks_failed', 'ready', 'failed', 'cancelled'],
  checks_failed: ['ready', 'cancelled'],
  ready: ['checks_failed', 'uploading', 'cancelled'],
  uploading: ['importing', 'failed', 'cancelled'],
  importing: ['verifying', 'failed', 'cancelled'],
  verifying: ['configuring', 'verification_failed', 'failed'],
  configuring: ['completed', 'completed_with_missing_documents', 'failed'],
  completed: [],
  completed_with_missing_documents: ['recovering'],
  recovering: ['completed', 'completed_with_missing_documents', 'failed'],
  // Resume: the agent continues where the upload stopped. Ops retry a failed
  // job: an import or verification job goes back to `importing` (verification
  // starts from there by itself), a configuration job back to `configuring`.
  verification_failed: ['uploading', 'cancelled'],
  failed: ['uploading', 'importing', 'configuring', 'recovering', 'cancelled'],
  cancelled: [],
};

/**
 * A test migration can be reset by ops (which wipes its tenant) from any
 * state where nothing is in flight; a live one never: once it has completed
 * it cannot run again.
 */
const RESETTABLE: readonly MigrationState[] = [
  'enrolled',
  'checks_failed',
  'ready',
  'completed',
  'completed_with_missing_documents',
  'verification_failed',
  'failed',
  'cancelled',
];

/** States from which nothing moves on by itself (the ticket no longer counts as open). */
export const FINAL_STATES: readonly MigrationState[] = ['completed', 'cancelled'];

export function allowedTransitions(from: MigrationState, kind: MigrationKind): MigrationState[] {
  const next = [...FORWARD[from]];
  if (kind === 'test' && RESETTABLE.includes(from)) next.push('created');
  return next;
}

export function canTransition(from: MigrationState, to: MigrationState, kind: MigrationKind): boolean {
  return allowedTransitions(from, kind).includes(to);
}

/** Throws STATE_TRANSITION_FORBIDDEN (409) with the allowed moves when `from → to` is not one of them. */
export function assertTransition(from: MigrationState, to: MigrationState, kind: MigrationKind): void {
  if (canTransition(from, to, kind)) return;
  const allowed = allowedTransitions(from, kind);
  const hint = allowed.length ? `allowed from '${from}': ${allowed.join(', ')}` : `'${from}' is final`;
  const why = to === 'created' && kind === 'live' ? ' A live migration cannot be reset.' : '';
  throw new OmtError(
    from === 'completed' && kind === 'live' ? 'LIVE_MIGRATION_COMPLETED' : 'STATE_TRANSITION_FORBIDDEN',
    `A ${kind} migration cannot move from '${from}' to '${to}' (${hint}).${why}`,
    [{ path: 'state', message: `${from} → ${to} is not allowed` }],
  );
}

/** Tenant states online (SuperOffice's own names, snake_cased). */
export const TENANT_STATES = [
  'migration_pending',
  'provisioning',
  'provisioning_failed',
  'running',
  'suspended',
  'online_maintenance',
  'offline_maintenance',
  'deleting',
] as const;
export const tenantStateSchema = z.enum(TENANT_STATES).meta({ description: "The tenant's state online." });
export type TenantState = z.infer<typeof tenantStateSchema>;
