import type { AgentSession, MigrationState } from '@omt/contracts';
import { accessEndedOf, type AccessEnded } from '../api/access-ended';
import { sleep } from '../api/retry-policy';
import type { AgentApiClient } from '../api/agent-api-client';

/** A session as last seen, with the state the ticket ended in when the API ended the agent's access. */
export type OutcomeSession = AgentSession & { accessEnded?: AccessEnded };

/** The last session seen, moved to the state the ticket ended in (the API answers no more sessions then). */
export function endedSession(last: AgentSession, ended: AccessEnded): OutcomeSession {
  return { ...last, ticket: { ...last.ticket, state: ended.state }, accessEnded: ended };
}

/** States where the cloud side has finished with this run: the agent reports and exits. */
export const OUTCOME_STATES: readonly MigrationState[] = [
  'completed',
  'completed_with_missing_documents',
  'verification_failed',
  'failed',
  'cancelled',
];

export const SUCCESS_STATES: readonly MigrationState[] = ['completed', 'completed_with_missing_documents'];

export const OUTCOME_POLL_MS = 1000;

/**
 * Waits until the ticket reaches an outcome (import, verification and
 * configuration run in the cloud after the upload), asking the API once a
 * second; `onState` hears every state on the way. A completed or cancelled
 * ticket ends the agent's access (AGENT_ACCESS_ENDED): that is the outcome,
 * on the last session seen (`last` until one was).
 */
export async function awaitOutcome(
  api: Pick<AgentApiClient, 'session'>,
  options: {
    signal?: AbortSignal;
    intervalMs?: number;
    onState?: (state: MigrationState) => void;
    last?: AgentSession;
  } = {},
): Promise<OutcomeSession> {
  let last = options.last;
  for (;;) {
    let session: AgentSession;
    try {
      session = await api.session();
    } catch (error) {
      const ended = accessEndedOf(error);
      if (!ended || !last) throw error;
      options.onState?.(ended.state);
      return endedSession(last, ended);
    }
    last = session;
    options.onState?.(session.ticket.state);
    if (OUTCOME_STATES.includes(session.ticket.state)) return session;
    await sleep(options.intervalMs ?? OUTCOME_POLL_MS, options.signal);
  }
}

/** Why the ticket ended where it did: the reason of the audit event that moved it there. */
export async function outcomeReason(
  api: Pick<AgentApiClient, 'ticketEvents'>,
  ticketId: string,
  state: MigrationState,
): Promise<string | null> {
  try {
    const { items } = await api.ticketEvents(ticketId);
    return items.findLast((e) => e.to === state)?.reason ?? null;
  } catch {
    return null; // the reason is a courtesy; the state itself has been reported
  }
}
