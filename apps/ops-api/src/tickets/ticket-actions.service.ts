import { Inject, Injectable } from '@nestjs/common';
import { FINAL_STATES, OmtError, assertTransition, type EnrollmentCodeIssued, type TicketView } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { EventsService } from '../events/events.gateway';
import { issueEnrollmentCode } from './enrollment-codes';
import { TicketRunCleanup } from './ticket-run-cleanup';
import { TicketRunRepository } from './ticket-run.repository';
import { TicketStateService, ticketNotFound } from '../ticket-state/ticket-state.service';
import { TicketsRepository, toView, type TicketTransaction } from '../ticket-state/tickets.repository';

/** What ops can do to a ticket from the dashboard: cancel, reset a test migration, issue a new code. */
@Injectable()
export class TicketActionsService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly state: TicketStateService,
    private readonly events: EventsService,
    private readonly runs: TicketRunRepository,
    private readonly cleanup: TicketRunCleanup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Cancels the ticket; its unused codes and agent tokens die with it and its agent is told to stop. */
  async cancel(ticketId: string, actor: string, reason: string | null): Promise<TicketView> {
    const { ticket, change } = await this.tickets.inTransaction(async (tx) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      const change = await this.state.applyLocked(tx, locked, 'cancelled', actor, reason);
      await tx.revokeEnrollmentCodes(ticketId);
      return { ticket: await tx.getTicket(ticketId), change };
    });
    // The command first: publishing the change closes the agent's sockets (its access ends).
    this.events.toAgent(ticketId, 'command.issued', { ticketId, command: 'cancel', reason });
    this.state.publish(change);
    return toView(ticket);
  }

  /**
   * Resets a test migration to `created` with nothing of its last run left:
   * its jobs in every queue, the tenant database (emptied), its blobs (batches, document
   * uploads) and the tenant's document archive go first, then in one
   * transaction its upload ledgers and run fields, every code and agent
   * token, and a new code. Refused while a job of the ticket runs. Whatever
   * cannot join the transaction goes before the state changes: a failure
   * part-way leaves a ticket that can simply be reset again, never a reset
   * ticket with stale data.
   */
  async reset(ticketId: string, actor: string, reason: string | null): Promise<EnrollmentCodeIssued> {
    const before = await this.tickets.findById(ticketId);
    if (!before) throw ticketNotFound(ticketId);
    await this.tickets.inTransaction(async (tx) => this.assertResettable(tx, before.id, before.customerId));
    const jobs = await this.cleanup.removeJobs(ticketId);
    await this.cleanup.emptyTenant(before.tenant.databaseName);
    await this.cleanup.removeFiles(ticketId, before.tenant.databaseName);

    const { ticket, change, code } = await this.runs.inTransaction(async (tx, run) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      await this.assertResettable(tx, locked.id, locked.customerId);
      const wiped = `emptied ${locked.tenant.databaseName} and its archive, removed ${jobs} jobs, the uploads and their ledgers`;
      await tx.audit({ ticketId, actor, action: 'tenant.wiped', reason: wiped });
      await run.clear(ticketId);
      const change = await this.state.applyLocked(tx, locked, 'created', actor, reason);
      await tx.setTenantState(locked.tenantId, 'migration_pending');
      await tx.revokeAgentTokens(ticketId);
      const code = await issueEnrollmentCode(tx, ticketId, this.config);
      await tx.audit({ ticketId, actor, action: 'enrollment.codeIssued', reason: 'reset' });
      return { ticket: await tx.getTicket(ticketId), change, code };
    });
    // Ends the agent's access too (tokens revoked above, lease, sockets): see TicketStateService.
    this.state.publish(change);
    return { ticket: toView(ticket), enrollmentCode: code.code, enrollmentCodeExpiresAt: code.expiresAt.toISOString() };
  }

  /** Revokes the old code and agent tokens and issues a new code (a new machine, a lost email). */
  async issueEnrollmentCode(ticketId: string, actor: string, reason: string | null): Promise<EnrollmentCodeIssued> {
    const { ticket, code } = await this.tickets.inTransaction(async (tx) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      if (FINAL_STATES.includes(locked.state)) {
        throw new OmtError('CONFLICT', `The ticket is ${locked.state}; it takes no new enrollment code.`, [
          { path: 'state', message: locked.state },
        ]);
      }
      await tx.revokeAgentTokens(ticketId);
      const code = await issueEnrollmentCode(tx, ticketId, this.config);
      await tx.audit({ ticketId, actor, action: 'enrollment.codeIssued', reason });
      return { ticket: await tx.getTicket(ticketId), code };
    });
    // The old machine's tokens are revoked: its lease and sockets go with them.
    this.state.endAgentAccess(ticketId);
    return { ticket: toView(ticket), enrollmentCode: code.code, enrollmentCodeExpiresAt: code.expiresAt.toISOString() };
  }

  private async assertResettable(tx: TicketTransaction, ticketId: string, customerId: string): Promise<void> {
    const ticket = await tx.getTicket(ticketId);
    assertTransition(ticket.state, 'created', ticket.kind);
    // The tenant is shared by the customer's tickets: never wipe what a live migration loaded
    // or what another open ticket is working on.
    if (await tx.findCompletedLiveTicket(customerId)) {
      throw new OmtError(
        'LIVE_MIGRATION_COMPLETED',
        `${customerId} has completed its live migration; its tenant cannot be wiped.`,
      );
    }
    const open = await tx.findOpenTicket(customerId, ticketId);
    if (open) {
      throw new OmtError(
        'TICKET_ALREADY_OPEN',
        `${customerId} has another open ticket (${open.id}); cancel it first.`,
        [{ path: 'customerId', message: `open ticket ${open.id}` }],
      );
    }
  }
}
