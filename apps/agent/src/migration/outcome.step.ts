import type { AgentMode, AgentSession, MigrationState, MissingDocument, StructureSummary, TicketView } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import type { DocumentPhaseResult } from '../upload/document-phase';
import { awaitOutcome, outcomeReason, SUCCESS_STATES, type OutcomeSession } from './await-outcome';
import type { MigrateOptions, MigrateUi } from './migrate-options';
import type { TablesSummary } from './transfer.step';

/** What one run did and how the ticket ended: the commands print it, `--json` returns it. */
export interface MigrateOutcome {
  ticket: TicketView;
  mode: AgentMode;
  modeReason: string;
  /** The ticket's final state for this run. */
  state: MigrationState;
  /** Why it ended there, from the ticket's audit trail (failures, cancellation). */
  reason: string | null;
  tables: TablesSummary | null;
  documents: Omit<DocumentPhaseResult, 'missing'> | null;
  missingDocuments: MissingDocument[];
  /** Count and content hash of every table matched the source's (the ticket passed verification). */
  verified: boolean;
  /**
   * The tables' structure (keys, indexes, constraints, defaults, identity)
   * against the source's declaration, with what could not be carried over;
   * null when this run sent no tables and the API said nothing of them.
   */
  structure: StructureSummary | null;
  elapsedMs: number;
}

/** Waits for the cloud side (import, verification, configuration), showing each state it passes. */
export async function waitForOutcome(
  api: AgentApiClient,
  options: MigrateOptions,
  ui: MigrateUi,
  last: AgentSession,
): Promise<OutcomeSession> {
  return awaitOutcome(api, { signal: options.signal, onState: (state) => ui.waiting(state), last });
}

/** The run's outcome as the commands report it, with the reason when it did not succeed. */
export async function finish(
  api: AgentApiClient,
  start: AgentSession,
  end: OutcomeSession,
  tables: TablesSummary | null,
  documents: DocumentPhaseResult | null,
  started: number,
): Promise<MigrateOutcome> {
  const state = end.ticket.state;
  const succeeded = SUCCESS_STATES.includes(state);
  // An ended access carries its reason: the audit trail is closed to this agent then.
  const reason = succeeded
    ? null
    : end.accessEnded
      ? end.accessEnded.reason
      : await outcomeReason(api, end.ticket.id, state);
  return {
    ticket: end.ticket,
    mode: start.mode,
    modeReason: start.modeReason,
    state,
    reason,
    tables,
    documents: documents && { uploaded: documents.uploaded, skipped: documents.skipped, bytes: documents.bytes },
    missingDocuments: end.manifest.missingDocuments,
    verified: succeeded,
    structure: structureOutcome(end, tables, succeeded),
    elapsedMs: Date.now() - started,
  };
}

/**
 * The API's verdict when the last session seen carried it; else what this
 * run sent, verified exactly when the ticket passed verification (which
 * compares the structure too). A completed ticket ends the agent's access,
 * so the last session may predate the verdict.
 */
function structureOutcome(end: OutcomeSession, tables: TablesSummary | null, succeeded: boolean): StructureSummary | null {
  const server = end.manifest.structure;
  if (server && server.verified !== null) return server;
  if (!tables) return server ?? null;
  return {
    verified: succeeded ? true : null,
    tables: tables.tables,
    indexes: tables.indexes,
    constraints: tables.constraints,
    warnings: tables.untranslated,
  };
}
