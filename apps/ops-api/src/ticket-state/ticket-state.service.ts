import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { OmtError, assertTransition, type MigrationState, type TicketView } from '@omt/contracts';
import { AuthService } from '../auth/auth.service';
import { LOGGER } from '../common/logger.module';
import { EventsService } from '../events/events.gateway';
import { LeaseStore } from '../leases/lease-store';
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

/**
 * States that end the agent's access to its ticket: the work is done
 * (completed), stopped (cancelled), or starts over with a new enrollment
 * (reset to created). Not completed_with_missing_documents: its agent
 * recovers the missing documents with the same token.
 */
/** The actor of state changes the worker makes on its own. */
export const SYSTEM_ACTOR = 'system';

export const AGENT_ACCESS_ENDS_IN: readonly MigrationState[] = ['completed', 'cancelled', 'created'];

export function ticketNotFound(ticketId: string): OmtError {
  return new OmtError('NOT_FOUND', `No ticket has the id ${ticketId}.`, [{ path: 'id', message: 'no such ticket' }]);
}

/**
 * The only way a ticket changes state: the contracts' state machine decides,
 * under a row lock, and the audit line commits with the change. Events go
 * out after the commit, so nobody hears of a change that was rolled back.
 * A change into AGENT_ACCESS_ENDS_IN revokes the agent tokens in the same
 * transaction; after the commit the lease goes and the sockets close.
 */
@Injectable()
export class TicketStateService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly events: EventsService,
    private readonly leases: LeaseStore,
    private readonly auth: AuthService,
    @Inject(LOGGER) private readonly logger: Logger,
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
    if (AGENT_ACCESS_ENDS_IN.includes(to)) await tx.revokeAgentTokens(ticket.id);
    const at = await tx.audit({
      ticketId: ticket.id,
      actor,
      action: 'ticket.stateChanged',
      from: ticket.state,
      to,
      reason,
    });
    return {
      ticketId: ticket.id,
      customerId: ticket.customerId,
      from: ticket.state,
      to,
      actor,
      reason,
      at: at.toISOString(),
    };
  }

  publish(change: StateChange): void {
    this.events.toOps('ticket.stateChanged', change);
    this.events.toAgent(change.ticketId, 'ticket.stateChanged', change);
    if (AGENT_ACCESS_ENDS_IN.includes(change.to)) this.endAgentAccess(change.ticketId);
  }

  /**
   * After the tokens were revoked: the lease goes (the next agent need not
   * wait for it to lapse), the sockets close in every API process, and this
   * process forgets the tokens it took on trust. Another API process forgets
   * them within AGENT_TOKEN_REUSE_MS.
   */
  endAgentAccess(ticketId: string): void {
    this.auth.forgetAgentTokensOf(ticketId);
    this.events.disconnectAgents(ticketId);
    this.leases.drop(ticketId).catch((error: unknown) => {
      // It lapses by itself; until then a new agent is refused with the holder named.
      this.logger.warn({ err: error, ticketId }, 'ticket lease not dropped');
    });
  }
}
