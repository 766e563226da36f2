import { Injectable } from '@nestjs/common';
import { OmtError, assertTransition, type MigrationState, type TicketView } from '@omt/contracts';
import { EventsService } from '../events/events.gateway';
import { TicketsRepository, toView, type TicketRecord, type TicketTransaction } from './tickets.repository';

/** A committed state change, as pushed to `/ops` and to the ticket's agent. */
export interface StateChange {
  ticketId: string;
  customerId: string;
  from: MigrationState;
  to: MigrationState;
  actor: string;
  reason: string | null;
  at: string;
}

export function ticketNotFound(ticketId: string): OmtError {
  return new OmtError('NOT_FOUND', `No ticket has the id ${ticketId}.`, [{ path: 'id', message: 'no such ticket' }]);
}

/**
 * The only way a ticket changes state: the contracts' state machine decides,
 * under a row lock, and the audit line commits with the change. Events go
 * out after the commit, so nobody hears of a change that was rolled back.
 */
@Injectable()
export class TicketStateService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly events: EventsService,
  ) {}

  async transition(ticketId: string, to: MigrationState, actor: string, reason: string | null): Promise<TicketView> {
    const { ticket, change } = await this.tickets.inTransaction(async (tx) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      const change = await this.applyLocked(tx, locked, to, actor, reason);
      return { ticket: await tx.getTicket(ticketId), change };
    });
    this.publish(change);
    return toView(ticket);
  }

  /**
   * For services that change more than the state in one transaction: the
   * ticket must already be locked by `tx.lockTicket`. Call `publish` with the
   * result once the transaction has committed.
   */
  async applyLocked(
    tx: TicketTransaction,
    ticket: TicketRecord,
    to: MigrationState,
    actor: string,
    reason: string | null,
  ): Promise<StateChange> {
    assertTransition(ticket.state, to, ticket.kind);
    await tx.setState(ticket.id, to);
    const at = await tx.audit({ ticketId: ticket.id, actor, action: 'ticket.stateChanged', from: ticket.state, to, reason });
    return { ticketId: ticket.id, customerId: ticket.customerId, from: ticket.state, to, actor, reason, at: at.toISOString() };
  }

  publish(change: StateChange): void {
    this.events.toOps('ticket.stateChanged', change);
    this.events.toAgent(change.ticketId, 'ticket.stateChanged', change);
  }
}
