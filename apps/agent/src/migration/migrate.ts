import {
  DEFAULT_BATCH_LIMITS,
  OmtError,
  type BatchLimits,
  judgeChecksAgainstPlan,
  MIGRATION_STATE_WORDS,
  remainingFindingsError,
  validatePlan,
  type AgentMode,
  type AgentSession,
  type ArchiveScan,
  type CheckReport,
  type ErrorCode,
  type MigrationPlan,
  type MigrationState,
  type MigratorContact,
  type MissingDocument,
  type TicketView,
} from '@omt/contracts';
import { assertNoTenantNameCollision } from '@omt/copy-text';
import type { AgentApiClient } from '../api/agent-api-client';
import { AgentEvents } from '../api/agent-events';
import { accessEndedOf } from '../api/access-ended';
import { connectAgent } from '../api/enrollment-store';
import { holdTicketLease } from '../api/ticket-lease';
import type { RetryPolicy } from '../api/retry-policy';
import { scanArchive } from '../archive/archive-scan';
import { readCrmCatalog, type CrmCatalog } from '../catalog/crm-catalog';
import { runChecks } from '../checks/run-checks';
import { logOnAsAdministrator, type AdminSession } from '../logon/admin-logon';
import { readPlanFile } from '../plan/plan-file';
import { startingPlan } from '../plan/starting-plan';
import { readPlanSource } from '../plan/user-directory';
import { liftOnsiteFreeze, withOnsiteFreeze } from '../source/onsite-freeze';
import type { SourceConnector } from '../source/source-connector';
import { tableSchemaOf } from '../source/table-schema';
import { awaitOutcome, endedSession, outcomeReason, SUCCESS_STATES, type OutcomeSession } from './await-outcome';
import type { DocumentPhase, DocumentPhaseResult } from '../upload/document-phase';
import { archiveDocumentPhase } from '../upload/documents/archive-document-phase';
import { describeLeftToSend, leftToSend, type LeftToSend } from './left-to-send';
import { describeRenamed } from './renamed-names';
import { showProgress, type ProgressStyle } from '../upload/progress-view';
import type { TableUploadResult } from '../upload/table-uploader';
import { UploadProgress, type ProgressSnapshot } from '../upload/upload-progress';
import { uploadTables, type PlannedTable } from '../upload/upload-tables';

export interface MigrateOptions {
  apiUrl: string;
  code: string;
  openSource: () => SourceConnector;
  archive: string | null;
  user: string;
  password: string;
  /** Where the password came from, for a refused logon's advice (the logon form unless given). */
  passwordFrom?: string;
  /** A plan file; without it the starting plan (current plans, first address) when confirmed. */
  planFile?: string;
  /** No questions: the starting plan when there is no plan file, and no confirmation. */
  yes: boolean;
  /** The migrator's contact for the starting plan (a plan file carries its own). */
  migrator?: MigratorContact;
  parallel: number;
  /** Batch bounds of a first upload (a resume keeps the first run's, so sequences line up). */
  batchLimits?: BatchLimits;
  stateDir: string;
  retry?: RetryPolicy;
  /** How documents are sent; `archiveDocumentPhase` (tus, resumable) unless given. */
  documents?: DocumentPhase;
  signal: AbortSignal;
}

/** What the migrate flow needs from the terminal. */
export interface MigrateUi {
  /** A line of narrative for a person (nothing with --json). */
  say(text: string): void;
  progressStyle: ProgressStyle;
  /** Asks a yes/no question; null when nobody can answer (no terminal). */
  ask: ((question: string) => Promise<boolean>) | null;
  /** Shows the cloud side's state while the agent waits for the outcome (called once a second). */
  waiting(state: MigrationState): void;
  /** Optional: every change of the upload's progress, for a view other than the terminal's (the wizard's page). */
  progress?(snapshot: ProgressSnapshot): void;
}

export interface TablesSummary {
  tables: number;
  rows: number;
  /** Uncompressed COPY text read at the source in this run. */
  bytes: number;
  /** Compressed bytes sent in this run. */
  sentBytes: number;
  sentBatches: number;
  skippedBatches: number;
  /** Tables complete at the API before this run (resume). */
  alreadyComplete: number;
}

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
  elapsedMs: number;
}

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

/** States after which a live migration's onsite freeze must go: the customer keeps working onsite. */
const FREEZE_LIFTED_IN: readonly MigrationState[] = ['failed', 'verification_failed', 'cancelled'];

async function liftFreezeAfterFailure(ticket: TicketView, options: MigrateOptions, ui: MigrateUi): Promise<void> {
  if (ticket.kind !== 'live' || !FREEZE_LIFTED_IN.includes(ticket.state)) return;
  await withSource(options, (source) => liftOnsiteFreeze(source));
  ui.say(`The migration is ${MIGRATION_STATE_WORDS[ticket.state]}: logins to the onsite CRM are open again.`);
}

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

async function withSource<T>(options: MigrateOptions, work: (source: SourceConnector) => Promise<T>): Promise<T> {
  const source = options.openSource();
  try {
    return await work(source);
  } finally {
    await source.close();
  }
}

function logOn(catalog: CrmCatalog, options: MigrateOptions, ui: MigrateUi): AdminSession {
  const admin = logOnAsAdministrator(catalog, options.user, options.password, options.passwordFrom);
  ui.say(`Logged on to the onsite database as ${admin.login} (${admin.rights.join(', ')}).`);
  return admin;
}

async function scan(catalog: CrmCatalog, options: MigrateOptions, ui: MigrateUi): Promise<ArchiveScan | null> {
  if (!options.archive) {
    ui.say('No archive given (--archive): documents are not migrated.');
    return null;
  }
  const result = await scanArchive(catalog, options.archive);
  const ok = result.totals.ok;
  ui.say(
    `Archive ${result.root}: ${ok.documents} document(s) to migrate, ${result.documents.length - ok.documents} that cannot be.`,
  );
  return result;
}

/** The database and documents of an initial upload or a resume, then upload/complete. */
async function upload(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  source: SourceConnector,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<{ tables: TablesSummary; documents: DocumentPhaseResult | null }> {
  const catalog = await readCrmCatalog(source);
  // Before anything is sent: names PostgreSQL cannot hold apart would stop the import half way.
  assertNoTenantNameCollision(catalog.tables);
  logOn(catalog, options, ui);
  const archive = await scan(catalog, options, ui);

  // Checks and plan are decided before the upload; a resume keeps what the API holds (unless a new --plan is given).
  const beforeUpload = BEFORE_UPLOAD.includes(session.ticket.state);
  const report = beforeUpload ? await sendChecks(api, catalog, archive, ui) : null;
  if (beforeUpload || options.planFile) await sendPlan(api, source, catalog, report, options, ui);

  const tables = await plannedTables(source, catalog);
  const documentsPlanned = documentPhaseOf(options).planned(archive);
  // What the API holds from an earlier run is not asked about nor announced again.
  const left = leftToSend(session.manifest, tables, archive);
  await confirmUpload(session.ticket, left, options, ui);

  if (session.ticket.kind === 'live')
    ui.say('Live migration: logins to the onsite CRM are blocked until the migration has finished.');
  // The final upload of a live migration runs with the onsite CRM frozen; the freeze is lifted if the upload fails.
  return withOnsiteFreeze(source, session.ticket.kind, () =>
    transfer(api, agentToken, session, source, { tables, archive, documentsPlanned, left }, options, ui),
  );
}

/** From upload start to upload/complete: tables, then documents. */
async function transfer(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  source: SourceConnector,
  planned: {
    tables: PlannedTable[];
    archive: ArchiveScan | null;
    documentsPlanned: { count: number; bytes: number };
    left: LeftToSend;
  },
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<{ tables: TablesSummary; documents: DocumentPhaseResult | null }> {
  const { tables, archive, documentsPlanned, left } = planned;
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const manifest = await api.startUpload({
    limits: session.manifest.limits ?? options.batchLimits ?? DEFAULT_BATCH_LIMITS,
    tables: tables.map((t) => ({ name: t.schema.name, rows: t.rows })),
    documents: documentsPlanned,
  });
  ui.say(describeLeftToSend(left, tables, options.parallel));
  const renamed = describeRenamed(tables);
  if (renamed) ui.say(renamed);

  const progress = new UploadProgress();
  progress.expectTables(tables.length, rows);
  progress.expectDocuments(documentsPlanned.count, documentsPlanned.bytes);
  const { results, documents } = await withProgressView(progress, session, agentToken, options, ui, async () => {
    const results = await uploadTables({
      api,
      source,
      tables,
      limits: manifest.limits ?? DEFAULT_BATCH_LIMITS,
      manifest,
      parallel: options.parallel,
      progress,
      signal: options.signal,
    });
    // The documents phase: after the tables, before upload/complete.
    const documents = await sendDocuments(api, agentToken, { ...session, manifest }, archive, options, progress);
    return { results, documents };
  });
  sayDocuments(documents, ui);
  await api.completeUpload();
  ui.say('Upload complete: the cloud side imports, verifies and configures now.');
  return { tables: summariseTables(results, tables), documents };
}

/**
 * Recovery: the documents still missing or changed since they landed, and
 * nothing else: no table is announced, so the database is not touched.
 */
async function recover(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  archive: ArchiveScan | null,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<DocumentPhaseResult> {
  // Without the archive every document would be reported as gone: stop before anything changes.
  if (!archive)
    throw new OmtError(
      'VALIDATION_FAILED',
      'A recovery sends the documents that are still missing: run the same command with --archive <the document archive>.',
    );
  const planned = documentPhaseOf(options).planned(archive);
  const manifest = await api.startUpload({
    limits: session.manifest.limits ?? options.batchLimits ?? DEFAULT_BATCH_LIMITS,
    tables: [],
    documents: planned,
  });
  const progress = new UploadProgress();
  progress.expectDocuments(planned.count, planned.bytes);
  const documents = await withProgressView(progress, session, agentToken, options, ui, () =>
    sendDocuments(api, agentToken, { ...session, manifest }, archive, options, progress),
  );
  sayDocuments(documents, ui);
  await api.completeUpload();
  ui.say('Recovery upload complete: the cloud side verifies the documents now.');
  return documents;
}

/** Runs an upload with its progress on the terminal and to the API (throttled events); both end with it. */
async function withProgressView<T>(
  progress: UploadProgress,
  session: AgentSession,
  agentToken: string,
  options: MigrateOptions,
  ui: MigrateUi,
  work: () => Promise<T>,
): Promise<T> {
  const events = new AgentEvents({ baseUrl: options.apiUrl, agentToken, ticketId: session.ticket.id });
  progress.onChange((snapshot) => events.progressed(snapshot));
  if (ui.progress) progress.onChange((snapshot) => ui.progress?.(snapshot));
  const view = showProgress(progress, ui.progressStyle);
  try {
    return await work();
  } finally {
    view.stop();
    events.close();
  }
}

/** States before the first upload starts: the checks and the plan can still change. */
const BEFORE_UPLOAD: readonly MigrationState[] = ['created', 'enrolled', 'checks_failed', 'ready'];

/**
 * Runs the checks and reports them. A blocking finding that must be fixed
 * onsite stops the migration here, each with its fix; the ones the plan
 * resolves (contracts' judgeChecksAgainstPlan) are judged with the plan next.
 */
async function sendChecks(
  api: AgentApiClient,
  catalog: CrmCatalog,
  archive: ArchiveScan | null,
  ui: MigrateUi,
): Promise<CheckReport> {
  const report = runChecks({ catalog, archive });
  await api.putChecks(report);
  const judged = judgeChecksAgainstPlan(report, null);
  if (judged.remaining.some((f) => !f.planResolvable)) throw remainingFindingsError(judged)!;
  const warnings = report.results.filter((r) => !r.passed && r.severity === 'warn').length;
  ui.say(
    judged.remaining.length === 0
      ? `Checks: no blocking findings (${warnings} warning(s)).`
      : `Checks: ${judged.remaining.length} blocking finding(s) fixed in the plan (${judged.remaining.map((f) => f.id).join(', ')}); ${warnings} warning(s).`,
  );
  return report;
}

/**
 * Chooses the plan, checks that it resolves the findings the plan step fixes
 * and passes every rule, and sends it: the API judges it the same way.
 */
async function sendPlan(
  api: AgentApiClient,
  source: SourceConnector,
  catalog: CrmCatalog,
  report: CheckReport | null,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<void> {
  const { directory } = await readPlanSource(source, catalog);
  const plan = await choosePlan(directory, options, ui);
  const judged = report && judgeChecksAgainstPlan(report, plan);
  const unresolved = judged && remainingFindingsError(judged);
  if (unresolved) {
    throw new OmtError(
      unresolved.code,
      `${unresolved.message} ${options.planFile ? `Edit ${options.planFile}` : 'Write a plan (omt-agent plan init, or omt-agent wizard)'}, check it with omt-agent plan validate, then run migrate --plan again.`,
      unresolved.details,
    );
  }
  const issues = validatePlan(plan, directory);
  if (issues.length > 0) {
    throw new OmtError(
      'PLAN_INVALID',
      `The plan breaks ${issues.length} rule(s); fix ${options.planFile ?? 'it'} (omt-agent plan validate shows them too).`,
      issues.map((i) => ({ path: i.path, message: i.message })),
    );
  }
  await api.putPlan({ plan, directory });
  const resolved = judged?.findings.filter((f) => f.resolved).map((f) => f.id) ?? [];
  ui.say(
    `Plan: ${plan.users.filter((u) => u.plan !== null).length} of ${plan.users.length} users with a user plan` +
      `${resolved.length ? `; it resolves ${resolved.join(', ')}` : ''}.`,
  );
}

async function choosePlan(
  directory: Parameters<typeof startingPlan>[0],
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<MigrationPlan> {
  if (options.planFile) return readPlanFile(options.planFile);
  const plan = startingPlan(directory, options.migrator);
  if (options.yes) {
    ui.say(
      'No --plan given: using the starting plan (every user keeps their current plan and logs in with their first address).',
    );
    return plan;
  }
  if (!ui.ask) {
    throw new OmtError(
      'VALIDATION_FAILED',
      'No plan to use: pass --plan plan.json (write one with `omt-agent plan init`, or use `omt-agent wizard`), or --yes to use the starting plan.',
    );
  }
  const withPlan = plan.users.filter((u) => u.plan !== null).length;
  const accepted = await ui.ask(
    `No --plan given. Use the starting plan (${withPlan} of ${plan.users.length} users keep their current plan and log in with their first address)?`,
  );
  if (!accepted)
    throw new OmtError(
      'VALIDATION_FAILED',
      'Stopped: write a plan with `omt-agent plan init` or the wizard, then run migrate with --plan.',
    );
  return plan;
}

async function plannedTables(source: SourceConnector, catalog: CrmCatalog): Promise<PlannedTable[]> {
  const schemas = catalog.tables.map(tableSchemaOf);
  const planned: PlannedTable[] = [];
  // A few counts at a time: each is a scan of the table at the source.
  for (let i = 0; i < schemas.length; i += 4) {
    const chunk = schemas.slice(i, i + 4);
    planned.push(
      ...(await Promise.all(chunk.map(async (schema) => ({ schema, rows: await source.countRows(schema.name) })))),
    );
  }
  return planned;
}

async function confirmUpload(
  ticket: TicketView,
  left: LeftToSend,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<void> {
  if (options.yes) return;
  const freeze =
    ticket.kind === 'live'
      ? ' This is a live migration: the onsite database will be frozen (no logins) for the upload.'
      : '';
  const what =
    left.tables.length + left.documents === 0
      ? 'Nothing is left to upload from the earlier run. Finish the upload'
      : `Upload ${left.tables.length} tables (${left.rows} rows) and ${left.documents} documents`;
  const question = `${what} of ${ticket.companyName} to ${ticket.environment}?${freeze}`;
  if (!ui.ask)
    throw new OmtError('VALIDATION_FAILED', `${question} Nobody can confirm without a terminal: add --yes to start.`);
  if (!(await ui.ask(question)))
    throw new OmtError('VALIDATION_FAILED', 'Stopped before the upload; nothing was sent.');
}

function documentPhaseOf(options: MigrateOptions): DocumentPhase {
  return options.documents ?? archiveDocumentPhase;
}

/** The document phase, then the list of what could not be sent (replacing the API's). */
async function sendDocuments(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  archive: ArchiveScan | null,
  options: MigrateOptions,
  progress: UploadProgress,
): Promise<DocumentPhaseResult> {
  progress.setPhase('documents');
  const result = archive
    ? await documentPhaseOf(options).run({
        api,
        baseUrl: options.apiUrl,
        agentToken,
        headers: api.leaseHeaders(),
        stateDir: options.stateDir,
        scan: archive,
        manifest: session.manifest,
        progress,
        signal: options.signal,
      })
    : { uploaded: 0, skipped: 0, bytes: 0, missing: [] };
  await api.putMissingDocuments({ documents: result.missing });
  return result;
}

function sayDocuments(result: DocumentPhaseResult, ui: MigrateUi): void {
  ui.say(
    `Documents: ${result.uploaded} uploaded, ${result.skipped} had landed before, ${result.missing.length} missing.`,
  );
}

async function waitForOutcome(
  api: AgentApiClient,
  options: MigrateOptions,
  ui: MigrateUi,
  last: AgentSession,
): Promise<OutcomeSession> {
  return awaitOutcome(api, { signal: options.signal, onState: (state) => ui.waiting(state), last });
}

function summariseTables(results: TableUploadResult[], planned: PlannedTable[]): TablesSummary {
  return {
    tables: planned.length,
    rows: planned.reduce((n, t) => n + t.rows, 0),
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    sentBytes: results.reduce((n, r) => n + r.sentBytes, 0),
    sentBatches: results.reduce((n, r) => n + r.sentBatches, 0),
    skippedBatches: results.reduce((n, r) => n + r.skippedBatches, 0),
    alreadyComplete: results.filter((r) => r.alreadyComplete).length,
  };
}

async function finish(
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
    elapsedMs: Date.now() - started,
  };
}
