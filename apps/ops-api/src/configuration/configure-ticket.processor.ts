import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { JobPayload, MigrationState, TenantState } from '@omt/contracts';
import { LOGGER } from '../common/logger.module';
import { PermanentImportError } from '../queues/job-errors';
import { TenantDatabases } from '../tenants/tenant-databases.service';
import { JobProcessor, type JobHandler } from '../queues/job-handler';
import { SYSTEM_ACTOR, TicketStateService, ticketNotFound, type StateChange } from '../ticket-state/ticket-state.service';
import { TicketsRepository } from '../ticket-state/tickets.repository';
import { ProgressService } from '../ledger/progress.service';
import { DocumentsRepository } from '../ledger/documents.repository';
import { renameStoredDocuments } from './document-names';
import { LedgerRepository } from '../ledger/ledger.repository';
import { applyPlan } from './plan-applier';

/**
 * `configure.ticketVerified`: applies the migration plan in the tenant
 * database (one tenant transaction) and points the tenant's document rows
 * at the files as stored (renamed ones), then in one operations transaction
 * sets the tenant's state (running after a live migration, offline
 * maintenance after a test), records the migrator and completes the
 * ticket. A retry re-applies the plan (idempotent) or, when the ticket has
 * already completed, does nothing. After a recovery (`recovering`) the plan
 * and the tenant's state stay as the first run left them: only the
 * documents' rows and the ticket's end (with or without missing documents).
 */
@Injectable()
@JobProcessor('configure.ticketVerified')
export class ConfigureTicketProcessor implements JobHandler<'configure.ticketVerified'> {
  constructor(
    private readonly tenants: TenantDatabases,
    private readonly repository: LedgerRepository,
    private readonly documents: DocumentsRepository,
    private readonly tickets: TicketsRepository,
    private readonly state: TicketStateService,
    private readonly progress: ProgressService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle({ ticketId }: JobPayload<'configure.ticketVerified'>): Promise<void> {
    const ticket = await this.tickets.findById(ticketId);
    if (!ticket) throw ticketNotFound(ticketId);
    const from = ticket.state;
    if (from !== 'configuring' && from !== 'recovering') {
      if (from === 'failed') {
        throw new PermanentImportError(
          'STATE_TRANSITION_FORBIDDEN',
          'The ticket has failed; retry this job from the dashboard to configure it.',
        );
      }
      this.logger.info({ ticketId, state: from }, 'configuration skipped: the ticket is past it');
      return;
    }
    const recovery = from === 'recovering';
    const configuration = await this.repository.configuration(ticketId);
    const plan = configuration.plan;
    if (!plan)
      throw new PermanentImportError(
        'PLAN_INVALID',
        'The ticket has no migration plan: the agent must send one before the upload.',
      );

    const tenant = await this.tenants.forTicket(ticketId);
    const applied = recovery ? null : await applyPlan(tenant, plan);
    const renamed = await renameStoredDocuments(tenant, await this.documents.list(ticketId));

    const tenantState: TenantState = configuration.kind === 'live' ? 'running' : 'offline_maintenance';
    const done: MigrationState = configuration.missingDocuments > 0 ? 'completed_with_missing_documents' : 'completed';
    const change = await this.tickets.inTransaction(async (tx): Promise<StateChange | null> => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked || locked.state !== from) return null; // cancelled meanwhile, or another run finished it
      if (applied) {
        await tx.audit({
          ticketId,
          actor: SYSTEM_ACTOR,
          action: 'plan.applied',
          reason: `${applied.usersWithPlan} user(s) with a user plan; ${applied.linksRemoved} other plan link(s) and ${applied.emailsRemoved} address(es) on other persons' cards removed`,
        });
        const { name, email, phone } = plan.migrator;
        await tx.audit({
          ticketId,
          actor: SYSTEM_ACTOR,
          action: 'migrator.recorded',
          reason: `${name} <${email}>, ${phone}`,
        });
        await tx.setTenantState(configuration.tenantId, tenantState);
      }
      if (renamed.renamed > 0) {
        await tx.audit({
          ticketId,
          actor: SYSTEM_ACTOR,
          action: 'documents.renamed',
          reason: `${renamed.renamed} document row(s) renamed to the file stored for them${renamed.moved > 0 ? ` (${renamed.moved} stored outside their owner's folder: the row names the file only)` : ''}`,
        });
      }
      const missing =
        configuration.missingDocuments > 0
          ? `; ${configuration.missingDocuments} document(s) could not be migrated`
          : '';
      const reason = recovery ? `recovery: documents verified${missing}` : `tenant ${tenantState}${missing}`;
      return this.state.applyLocked(tx, locked, done, SYSTEM_ACTOR, reason);
    });
    if (change) this.state.publish(change);
    this.progress.publish(ticketId);
  }
}
