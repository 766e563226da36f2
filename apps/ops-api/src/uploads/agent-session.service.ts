import { Injectable } from '@nestjs/common';
import {
  OmtError,
  chooseAgentMode,
  validatePlan,
  type AgentSession,
  type CheckReport,
  type MigrationState,
  type PlanSubmission,
  type TicketView,
} from '@omt/contracts';
import { TicketStateService, ticketNotFound, type StateChange } from '../tickets/ticket-state.service';
import { TicketsRepository, toView } from '../tickets/tickets.repository';
import { UploadsRepository } from './uploads.repository';

/** States in which the checks may be (re)run: before anything was uploaded. */
const CHECKS_STATES: readonly MigrationState[] = ['enrolled', 'checks_failed', 'ready'];
/** States in which the plan can no longer change: the upload is done and the cloud side works with it, or the ticket is over. */
const PLAN_FROZEN: readonly MigrationState[] = ['importing', 'verifying', 'configuring', 'completed', 'cancelled'];

export function wrongState(state: MigrationState, what: string): OmtError {
  return new OmtError('CONFLICT', `The ticket is '${state}'; ${what}.`, [{ path: 'state', message: state }]);
}

/** A check that blocks the migration failed (the report's own flag or any failed `block` result). */
export function isBlocked(report: CheckReport): boolean {
  return report.blocked || report.results.some((r) => r.severity === 'block' && !r.passed);
}

/** What the agent asks before it works (its session) and what it decides first: checks and plan. */
@Injectable()
export class AgentSessionService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly uploads: UploadsRepository,
    private readonly state: TicketStateService,
  ) {}

  async session(ticketId: string): Promise<AgentSession> {
    const ticket = await this.tickets.findById(ticketId);
    if (!ticket) throw ticketNotFound(ticketId);
    const manifest = await this.uploads.manifest(ticketId);
    const { mode, reason } = chooseAgentMode(ticket.state, manifest);
    return { ticket: toView(ticket), manifest, mode, modeReason: reason };
  }

  /** Stores the report and moves the ticket to `ready` or `checks_failed`. */
  async storeChecks(ticketId: string, report: CheckReport, actor: string): Promise<TicketView> {
    const { ticket, change } = await this.uploads.inTransaction(async (tx, uploads) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      if (!CHECKS_STATES.includes(locked.state)) throw wrongState(locked.state, 'the checks cannot change once the upload has started');
      await uploads.storeChecks(ticketId, report);
      const failed = report.results.filter((r) => !r.passed);
      const summary = `${report.results.length} check(s), ${failed.length} not passed`;
      await tx.audit({ ticketId, actor, action: 'checks.stored', reason: summary });
      const target: MigrationState = isBlocked(report) ? 'checks_failed' : 'ready';
      let change: StateChange | null = null;
      if (locked.state !== target) change = await this.state.applyLocked(tx, locked, target, actor, summary);
      return { ticket: await tx.getTicket(ticketId), change };
    });
    if (change) this.state.publish(change);
    return toView(ticket);
  }

  /** Validates the plan again with the contracts' rules and stores it with the ticket. */
  async storePlan(ticketId: string, submission: PlanSubmission, actor: string): Promise<TicketView> {
    const issues = validatePlan(submission.plan, submission.directory);
    if (issues.length > 0) {
      throw new OmtError(
        'PLAN_INVALID',
        `The plan breaks ${issues.length} rule(s): ${issues.map((i) => i.message).join(' ')}`,
        issues.map((i) => ({ path: i.path, message: i.message })),
      );
    }
    const ticket = await this.uploads.inTransaction(async (tx, uploads) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      if (PLAN_FROZEN.includes(locked.state)) throw wrongState(locked.state, 'the plan can no longer change');
      await uploads.storePlan(ticketId, submission.plan);
      const withPlan = submission.plan.users.filter((u) => u.plan !== null).length;
      await tx.audit({
        ticketId,
        actor,
        action: 'plan.stored',
        reason: `${submission.plan.users.length} user(s), ${withPlan} with a user plan`,
      });
      return tx.getTicket(ticketId);
    });
    return toView(ticket);
  }
}
