import { Injectable } from '@nestjs/common';
import { FINAL_STATES, OmtError, type EnrollResponse } from '@omt/contracts';
import { newSecret, normalizeEnrollmentCode, sha256 } from '../auth/secrets';
import { TicketStateService, type StateChange } from '../ticket-state/ticket-state.service';
import { TicketsRepository, toView } from '../ticket-state/tickets.repository';

const invalidCode = () =>
  new OmtError('ENROLLMENT_CODE_INVALID', 'This enrollment code is unknown, used, expired or revoked; ask operations for a new one.', [
    { path: 'code', message: 'not a valid code' },
  ]);

/** The migrator's code becomes an agent token scoped to its one ticket. */
@Injectable()
export class EnrollmentService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly state: TicketStateService,
  ) {}

  /**
   * The code is marked used in the same transaction that issues the token,
   * so it is spent exactly once even when two agents race with it. A ticket
   * past `created` (a replaced machine) keeps its state.
   */
  async enroll(code: string): Promise<EnrollResponse> {
    const { agentToken, ticket, change } = await this.tickets.inTransaction(async (tx) => {
      const ticketId = await tx.useEnrollmentCode(sha256(normalizeEnrollmentCode(code)));
      if (!ticketId) throw invalidCode();
      const locked = await tx.lockTicket(ticketId);
      if (!locked || FINAL_STATES.includes(locked.state)) throw invalidCode();
      const actor = `agent:${ticketId}`;
      let change: StateChange | null = null;
      if (locked.state === 'created') change = await this.state.applyLocked(tx, locked, 'enrolled', actor, 'enrollment code used');
      const agentToken = newSecret('agentToken');
      await tx.createAgentToken(ticketId, sha256(agentToken));
      await tx.audit({ ticketId, actor, action: 'agent.enrolled', reason: null });
      return { agentToken, ticket: await tx.getTicket(ticketId), change };
    });
    if (change) this.state.publish(change);
    return { agentToken, ticket: toView(ticket) };
  }
}
