import { OmtError, type AgentSession, type ErrorCode } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import { accessEndedOf } from '../api/access-ended';
import { connectAgent } from '../api/enrollment-store';
import { holdTicketLease } from '../api/ticket-lease';
import { readCrmCatalog } from '../catalog/crm-catalog';
import type { DocumentPhaseResult } from '../upload/document-phase';
import { scan } from './archive.step';
import { endedSession, type OutcomeSession } from './await-outcome';
import { liftFreezeAfterFailure } from './freeze.step';
import { logOn } from './logon.step';
import { withSource, type MigrateOptions, type MigrateUi } from './migrate-options';
import { finish, waitForOutcome, type MigrateOutcome } from './outcome.step';
import { recover } from './recovery.step';
import type { TablesSummary } from './transfer.step';
import { upload } from './upload.step';

export type { MigrateOptions, MigrateUi } from './migrate-options';
export type { MigrateOutcome } from './outcome.step';
export type { TablesSummary } from './transfer.step';

// The use case in steps, one file each, in the order a first upload takes them:
// logon.step, archive.step, checks.step, plan.step, confirm.step, then with the
// onsite CRM frozen for a live migration transfer.step (tables, then
// documents.step), then outcome.step (and freeze.step when it failed).
// A recovery runs logon.step, archive.step and recovery.step (documents only).
// upload/ holds the transport these steps drive: batches, tus, progress.

/**
 * `omt-agent migrate`: enroll (or reuse the stored token), ask the API what
 * to do, and do it: the whole upload, its resume, only the documents
 * (recovery), or just wait for the cloud side to finish.
 */
export async function migrate(options: MigrateOptions, ui: MigrateUi): Promise<MigrateOutcome> {
  const started = Date.now();
  const { api, identity, store } = await connectAgent({
    baseUrl: options.apiUrl,
    code: options.code,
    stateDir: options.stateDir,
    retry: options.retry,
    signal: options.signal,
    // The first sentence only: the advice that follows it is for when the retries run out.
    onRetry: (r) =>
      ui.say(`  (trying again in ${(r.delayMs / 1000).toFixed(1)} s: ${r.reason.replace(/(?<=\.) .*$/s, '')})`),
  });
  const session = await openSession(api, identity.reused, () => store.forget(options.apiUrl, options.code));
  const { ticket } = session;
  ui.say(
    `Ticket ${ticket.customerId} (${ticket.companyName}): ${ticket.kind} migration to ${ticket.environment}, state '${ticket.state}'.`,
  );
  ui.say(`Mode: ${session.mode}: ${session.modeReason}.`);

  const outcome = async (end: OutcomeSession, tables: TablesSummary | null, documents: DocumentPhaseResult | null) => {
    // A recovery runs after the tables went live: the onsite CRM stays frozen whatever becomes of it.
    if (session.mode !== 'recovery') await liftFreezeAfterFailure(end.ticket, options, ui);
    return finish(api, session, end, tables, documents, started);
  };
  if (session.mode === 'done') return outcome(session, null, null);

  // One agent per ticket: a second one is refused here, before it reads or sends anything.
  const lease = await holdTicketLease({
    api,
    ticketId: ticket.id,
    stateDir: options.stateDir,
    onLost: (error) => ui.say(error.message),
  });
  try {
    return await work(api, identity.agentToken, session, options, ui, outcome);
  } finally {
    await lease.release();
  }
}

/** The run's work in its mode, while this agent holds the ticket's lease. */
async function work(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  options: MigrateOptions,
  ui: MigrateUi,
  outcome: (
    end: OutcomeSession,
    tables: TablesSummary | null,
    documents: DocumentPhaseResult | null,
  ) => Promise<MigrateOutcome>,
): Promise<MigrateOutcome> {
  try {
    switch (session.mode) {
      case 'done':
        return await outcome(session, null, null);
      case 'wait':
        return await outcome(await waitForOutcome(api, options, ui, session), null, null);
      case 'recovery': {
        const archive = await withSource(options, async (source) => {
          const catalog = await readCrmCatalog(source);
          logOn(catalog, options, ui);
          return scan(catalog, options, ui);
        });
        const documents = await recover(api, agentToken, session, archive, options, ui);
        return await outcome(await waitForOutcome(api, options, ui, session), null, documents);
      }
      case 'initial':
      case 'resume': {
        const { tables, documents } = await withSource(options, (source) =>
          upload(api, agentToken, session, source, options, ui),
        );
        return await outcome(await waitForOutcome(api, options, ui, session), tables, documents);
      }
    }
  } catch (error) {
    // The ticket was completed or cancelled meanwhile and the API ended this agent's access: that is the outcome.
    const ended = accessEndedOf(error);
    if (ended) return outcome(endedSession(session, ended), null, null);
    // Operations cancelled the ticket while this run worked: the API refuses what follows (CONFLICT, or a
    // document upload refused); say that, with their reason, rather than the refusal.
    const cancelled = await cancelledMeanwhile(api, session, error, options.signal);
    if (!cancelled) throw error;
    return outcome(cancelled, null, null);
  }
}

/** The session when the ticket has been cancelled since the run began; null otherwise (or when that cannot be told). */
async function cancelledMeanwhile(
  api: AgentApiClient,
  session: AgentSession,
  error: unknown,
  signal: AbortSignal,
): Promise<OutcomeSession | null> {
  // Asked only when the API answered: an API that is down would only be retried once more, at length.
  if (signal.aborted || !(error instanceof OmtError) || UNANSWERED.includes(error.code)) return null;
  try {
    const now = await api.session();
    return now.ticket.state === 'cancelled' ? now : null;
  } catch (asked) {
    // The cancellation revoked this agent's token: the refusal says so, with the reason.
    const ended = accessEndedOf(asked);
    return ended?.state === 'cancelled' ? endedSession(session, ended) : null;
  }
}

/** Errors that mean the API did not answer (after the client's retries). */
const UNANSWERED: readonly ErrorCode[] = ['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'API_NOT_FOUND'];

async function openSession(api: AgentApiClient, reused: boolean, forget: () => Promise<void>): Promise<AgentSession> {
  try {
    return await api.session();
  } catch (error) {
    if (reused && error instanceof OmtError && error.code === 'UNAUTHENTICATED') {
      await forget();
      throw new OmtError(
        'ENROLLMENT_CODE_INVALID',
        'The agent token stored for this enrollment code was refused (revoked, or the ticket was reset). Ask operations for a new enrollment code.',
      );
    }
    throw error;
  }
}
