import type { MigrationState } from '@omt/contracts';

/** Actions written to the audit trail, named like socket events (`entity.pastVerb`). */
export type AuditAction =
  | 'ticket.created'
  | 'ticket.stateChanged'
  | 'ticket.reset'
  | 'enrollment.codeIssued'
  | 'agent.enrolled'
  | 'tenant.wiped'
  | 'checks.stored'
  | 'plan.stored'
  | 'upload.started'
  | 'table.completed'
  | 'upload.completed'
  | 'plan.applied'
  | 'migrator.recorded'
  | 'documents.renamed'
  | 'job.retried'
  | 'ticket.detailViewed'
  | 'workingCopies.purged';

/** One line of the trail: when (set by the database), who, what, from, to, why. */
export interface AuditEntry {
  ticketId: string;
  actor: string;
  action: AuditAction;
  from?: MigrationState | null;
  to?: MigrationState | null;
  reason?: string | null;
  /** Figures a machine may read back (counts of a purge); never secrets. */
  data?: Record<string, string | number | boolean | null>;
}
