import type { DocumentStatus, MigrationState } from '@omt/contracts';
import type { Tone } from '../health/health-format';

/** Words for the states, and a tone so the badge's colour agrees with them. */
export const STATE_LABELS: Record<MigrationState, string> = {
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

/** "ticket.stateChanged by agent:… (reason)": an audit line in one phrase. */
export function describeEvent(event: { action: string; actor: string; reason: string | null }): string {
  return `${event.action} by ${event.actor}${event.reason ? ` (${event.reason})` : ''}`;
}
