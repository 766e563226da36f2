import { Injectable } from '@nestjs/common';
import { OmtError, judgeChecksAgainstPlan, remainingFindingsError, type AgentSession, type MigrationState, type MissingDocuments, type StartUpload, type UploadManifest } from '@omt/contracts';
import { assertNoTenantNameCollision } from '@omt/copy-text';
import { VerificationTrigger } from '../ledger/verification-trigger';
import { TicketStateService, ticketNotFound, type StateChange } from '../ticket-state/ticket-state.service';
import { AgentSessionService, wrongState } from './agent-session.service';
import { ProgressService } from '../ledger/progress.service';
import { UploadsRepository, type TableCompleteness, type UploadsTransaction } from '../ledger/uploads.repository';

/**
 * Where `POST /upload` takes the ticket from each state; absent: refused.
 * Staying put is a resume; from a completed ticket with missing documents it
 * is a recovery (documents only, the tables are not touched).
 */
const START_TARGET: Partial<Record<MigrationState, MigrationState>> = {
  ready: 'uploading',
  failed: 'uploading',
  verification_failed: 'uploading',
  uploading: 'uploading',
  completed_with_missing_documents: 'recovering',
  recovering: 'recovering',
};
/** States whose upload run is over: a repeated upload/complete (its answer lost) changes nothing. */
const AFTER_UPLOAD: readonly MigrationState[] = ['importing', 'verifying', 'configuring', 'completed', 'completed_with_missing_documents'];

/** What an incomplete table still lacks, in words the agent prints. */
function lacking(table: TableCompleteness): string | null {
  if (table.sourceBatches === null) return `'${table.name}' has no figures yet (POST its /complete)`;
  const missing = table.sourceBatches - table.batchesReceived;
  return missing > 0 ? `'${table.name}' misses ${missing} of its ${table.sourceBatches} batch(es)` : null;
}

/** An upload run: its start (limits, tables, documents), the missing documents, and its end. */
@Injectable()
export class UploadRunService {
  constructor(
    private readonly uploads: UploadsRepository,
    private readonly state: TicketStateService,
    private readonly sessions: AgentSessionService,
    private readonly verification: VerificationTrigger,
    private readonly progress: ProgressService,
  ) {}

  async start(ticketId: string, request: StartUpload, actor: string): Promise<UploadManifest> {
    // Names only here (columns and keys come with each schema): two long table names on one tenant table stop the run before it starts.
    assertNoTenantNameCollision(request.tables);
    const change = await this.uploads.inTransaction(async (tx, uploads) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      const fields = await uploads.uploadFields(ticketId);
      if (!fields.hasPlan) {
        throw new OmtError('CONFLICT', 'No migration plan is stored for this ticket; send it (PUT /api/agent/plan) before the upload.', [
          { path: 'plan', message: 'not stored' },
        ]);
      }
      const target = START_TARGET[locked.state];
      if (!target) throw wrongState(locked.state, 'an upload cannot start from here');
      if (locked.state === 'ready') await this.assertNothingBlocks(uploads, ticketId);
      const recovery = target === 'recovering';
      if (!recovery) this.assertSameTables(await uploads.announcedTables(ticketId), request);
      await uploads.startRun(ticketId, request, { tables: !recovery });
      const limits = fields.limits ?? request.limits;
      await tx.audit({
        ticketId,
        actor,
        action: 'upload.started',
        reason: recovery
          ? `recovery: ${request.documents.count} document(s), ${request.documents.bytes} bytes`
          : `${request.tables.length} table(s), ${request.documents.count} document(s); batches of at most ${limits.maxRows} rows and ${limits.maxBytes} bytes`,
      });
      return locked.state === target ? null : this.state.applyLocked(tx, locked, target, actor, recovery ? 'recovery' : 'upload started');
    });
    if (change) this.state.publish(change);
    this.progress.publish(ticketId);
    return this.uploads.manifest(ticketId);
  }

  async storeMissingDocuments(ticketId: string, request: MissingDocuments): Promise<void> {
    const seen = new Set<number>();
    for (const [index, document] of request.documents.entries()) {
      // The ledger's document ids are int4, as SuperOffice's are.
      if (Math.abs(document.documentId) > 2 ** 31 - 1) {
        throw new OmtError('VALIDATION_FAILED', `document id ${document.documentId} is out of range.`, [
          { path: `documents.${index}.documentId`, message: 'must fit in 32 bits' },
        ]);
      }
      if (seen.has(document.documentId)) {
        throw new OmtError('VALIDATION_FAILED', `document ${document.documentId} is listed more than once.`, [
          { path: `documents.${index}.documentId`, message: 'listed twice' },
        ]);
      }
      seen.add(document.documentId);
    }
    await this.uploads.inTransaction(async (tx, uploads) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      if (locked.state !== 'uploading' && locked.state !== 'recovering') {
        throw wrongState(locked.state, 'missing documents are reported during an upload');
      }
      await uploads.replaceMissingDocuments(ticketId, request.documents);
    });
  }

  /**
   * Ends the run once every announced table has its figures and all its
   * batches: the ticket moves to `importing` (a recovery stays) and
   * verification starts as soon as the imports are done.
   */
  async complete(ticketId: string, actor: string): Promise<AgentSession> {
    const change = await this.uploads.inTransaction(async (tx, uploads): Promise<StateChange | null> => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      const fields = await uploads.uploadFields(ticketId);
      // Completed before (its answer lost): nothing changes. A recovery run stays `recovering` until verified.
      if ((AFTER_UPLOAD.includes(locked.state) || locked.state === 'recovering') && fields.uploadCompletedAt) return null;
      if (locked.state !== 'uploading' && locked.state !== 'recovering') {
        throw wrongState(locked.state, 'only a running upload can be completed (POST /api/agent/upload first)');
      }
      const tables = await uploads.tableCompleteness(ticketId);
      const problems = tables.map(lacking).filter((p): p is string => p !== null);
      if (problems.length > 0) {
        throw new OmtError(
          'CONFLICT',
          `The upload is not complete: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more table(s)` : ''}.`,
          tables.flatMap((t) => {
            const problem = lacking(t);
            return problem ? [{ path: `tables.${t.name}`, message: problem }] : [];
          }),
        );
      }
      await uploads.markUploadComplete(ticketId);
      const totals = await uploads.runTotals(ticketId);
      await tx.audit({
        ticketId,
        actor,
        action: 'upload.completed',
        reason: `${totals.tables} table(s), ${totals.batches} batch(es), ${totals.rows} row(s), ${totals.bytes} bytes`,
      });
      return locked.state === 'uploading' ? this.state.applyLocked(tx, locked, 'importing', actor, 'upload complete') : null;
    });
    if (change) this.state.publish(change);
    await this.verification.checkTicket(ticketId);
    this.progress.publish(ticketId);
    return this.sessions.session(ticketId);
  }

  /**
   * The first start: the stored plan must resolve every blocking finding of
   * the stored checks report that the plan fixes (storeChecks and storePlan
   * keep `ready` so; this holds it where the upload begins).
   */
  private async assertNothingBlocks(uploads: UploadsTransaction, ticketId: string): Promise<void> {
    const { checks, plan } = await uploads.decisions(ticketId);
    const blocking = checks && remainingFindingsError(judgeChecksAgainstPlan(checks, plan));
    if (blocking) throw blocking;
  }

  /** A resume must announce every table of the first run: sequences and figures are kept per table. */
  private assertSameTables(announced: string[], request: StartUpload): void {
    const now = new Set(request.tables.map((t) => t.name));
    if (now.size !== request.tables.length) {
      throw new OmtError('VALIDATION_FAILED', 'A table is listed more than once.', [{ path: 'tables', message: 'duplicate names' }]);
    }
    const dropped = announced.filter((name) => !now.has(name));
    if (dropped.length > 0) {
      throw new OmtError(
        'CONFLICT',
        `An earlier run announced table(s) this one does not: ${dropped.slice(0, 20).map((n) => `'${n}'`).join(', ')}. Reset the ticket to start over.`,
        dropped.map((name) => ({ path: 'tables', message: `'${name}' is missing` })),
      );
    }
  }
}
