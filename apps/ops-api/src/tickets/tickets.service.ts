import { Inject, Injectable } from '@nestjs/common';
import {
  OmtError,
  type CreateTicketRequest,
  type CreateTicketResponse,
  type ListTicketsQuery,
  type TicketEventList,
  type TicketList,
  type TicketView,
} from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { AuditRepository } from '../audit/audit.repository';
import { EventsService } from '../events/events.gateway';
import { tenantDatabaseName } from '../tenants/tenant-naming';
import { issueEnrollmentCode } from './enrollment-codes';
import { TicketRunCleanup } from './ticket-run-cleanup';
import { ticketNotFound } from '../ticket-state/ticket-state.service';
import { TicketsRepository, toView } from '../ticket-state/tickets.repository';

/** Opening tickets and reading them. */
@Injectable()
export class TicketsService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly audit: AuditRepository,
    private readonly events: EventsService,
    private readonly cleanup: TicketRunCleanup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A new ticket in `created`, its customer's tenant (created in
   * `migration_pending` the first time) and a one-time enrollment code.
   */
  async create(request: CreateTicketRequest, actor: string): Promise<CreateTicketResponse> {
    await this.wipeEarlierTestRuns(request.customerId);
    const { ticket, code } = await this.tickets.inTransaction(async (tx) => {
      if (await tx.findCompletedLiveTicket(request.customerId)) {
        throw new OmtError('LIVE_MIGRATION_COMPLETED', `${request.customerId} has completed its live migration; it cannot run again.`, [
          { path: 'customerId', message: 'live migration completed' },
        ]);
      }
      const open = await tx.findOpenTicket(request.customerId);
      if (open) {
        throw new OmtError('TICKET_ALREADY_OPEN', `${request.customerId} has an open ticket already (${open.id}, ${open.state}).`, [
          { path: 'customerId', message: `open ticket ${open.id}` },
        ]);
      }
      const databaseName = tenantDatabaseName(request.customerId, this.config.tenantDatabasePrefix);
      const tenant = await tx.findOrCreateTenant(request.customerId, request.environment, databaseName);
      await tx.setTenantState(tenant.id, 'migration_pending');
      if (tenant.environment !== request.environment) {
        throw new OmtError('CONFLICT', `The tenant of ${request.customerId} is in '${tenant.environment}', not '${request.environment}'.`, [
          { path: 'environment', message: `must be ${tenant.environment}` },
        ]);
      }
      const created = await tx.createTicket(request, tenant.id);
      await tx.audit({ ticketId: created.id, actor, action: 'ticket.created', to: 'created', reason: null });
      const code = await issueEnrollmentCode(tx, created.id, this.config);
      return { ticket: toView(created), code };
    });
    this.events.toOps('ticket.created', ticket);
    return { ticket, enrollmentCode: code.code, enrollmentCodeExpiresAt: code.expiresAt.toISOString() };
  }

  /**
   * A test migration can be repeated and each run starts from an empty
   * tenant: when the customer's tenant holds what earlier (test or
   * cancelled) tickets loaded, it is wiped before the new ticket exists.
   * Nothing is touched when the new ticket would be refused anyway (an open
   * ticket, a completed live migration): the transaction below says why.
   */
  private async wipeEarlierTestRuns(customerId: string): Promise<void> {
    const tenant = await this.tickets.inTransaction(async (tx) => {
      const refused = (await tx.findOpenTicket(customerId)) ?? (await tx.findCompletedLiveTicket(customerId));
      return refused ? null : tx.findTenant(customerId);
    });
    if (tenant) await this.cleanup.wipeTenant(tenant.databaseName);
  }

  async list(query: ListTicketsQuery): Promise<TicketList> {
    const { items, total } = await this.tickets.list(query);
    return { items: items.map(toView), total, limit: query.limit, offset: query.offset };
  }

  async get(ticketId: string): Promise<TicketView> {
    const ticket = await this.tickets.findById(ticketId);
    if (!ticket) throw ticketNotFound(ticketId);
    return toView(ticket);
  }

  async auditTrail(ticketId: string): Promise<TicketEventList> {
    await this.get(ticketId);
    return { items: await this.audit.listForTicket(ticketId) };
  }
}
