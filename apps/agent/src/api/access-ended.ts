import { OmtError, migrationStateSchema, type MigrationState } from '@omt/contracts';

/** The API ended this agent's access because its ticket was completed or cancelled (AGENT_ACCESS_ENDED). */
export interface AccessEnded {
  state: MigrationState;
  /** Why, as operations gave it (a cancellation); null without one. */
  reason: string | null;
}

/** The ticket's end as AGENT_ACCESS_ENDED carries it; null for any other error. */
export function accessEndedOf(error: unknown): AccessEnded | null {
  if (!(error instanceof OmtError) || error.code !== 'AGENT_ACCESS_ENDED') return null;
  const detail = Object.fromEntries(error.details.map((d) => [d.path, d.message]));
  const state = migrationStateSchema.safeParse(detail.state);
  if (!state.success) return null;
  return { state: state.data, reason: detail.reason ? detail.reason : null };
}
