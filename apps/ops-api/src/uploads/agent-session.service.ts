import { Injectable } from '@nestjs/common';
import {
  MIGRATION_STATE_WORDS,
  OmtError,
  chooseAgentMode,
  judgeChecksAgainstPlan,
  remainingFindingsError,
  validatePlan,
  type AgentSession,
  type CheckReport,
  type ChecksJudgement,
  type MigrationState,
  type PlanSubmission,
  type TicketView,
} from '@omt/contracts';
import { TicketStateService, ticketNotFound, type StateChange } from '../ticket-state/ticket-state.service';
import { TicketsRepository, toView } from '../ticket-state/tickets.repository';
import { UploadsRepository } from '../ledger/uploads.repository';

/** States in which the checks may be (re)run: before anything was uploaded. */
const CHECKS_STATES: readonly MigrationState[] = ['enrolled', 'checks_failed', 'ready'];
/** States in which the plan can no longer change: the upload is done and the cloud side works with it, or the ticket is over. */
const PLAN_FROZEN: readonly MigrationState[] = ['importing', 'verifying', 'configuring', 'completed', 'cancelled'];

export function wrongState(state: MigrationState, what: string): OmtError {
  return new OmtError('CONFLICT', `The ticket is ${MIGRATION_STATE_WORDS[state]}; ${what}.`, [
    { path: 'state', message: state },
  ]);
}

/** "; 2 fixed in the plan (resolved by the stored plan)": what the audit trail says of plan-resolvable findings. */
function planFindingsNote(judged: ChecksJudgement, hasPlan: boolean): string {
  const inPlan = judged.findings.filter((f) => f.planResolvable);
  if (inPlan.length === 0) return '';
  const resolved = inPlan.filter((f) => f.resolved).length;
  const how = !hasPlan
    ? 'until a plan resolves them'
    : resolved === inPlan.length
      ? 'resolved by the plan'
      : `${resolved} resolved by the plan`;
  return `; ${inPlan.length} fixed in the plan (${how}: ${inPlan.map((f) => f.id).join(', ')})`;
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

  /**
   * Stores the report and moves the ticket to `ready`, or to `checks_failed`
   * while a blocking finding remains: one only onsite work fixes, or one the
   * plan fixes (shared login emails, no administrator with a plan) that the
   * stored plan, if any, does not resolve. Storing a plan that resolves it
   * moves the ticket on to `ready` (storePlan).
   */
  async storeChecks(ticketId: string, report: CheckReport, actor: string): Promise<TicketView> {
    const { ticket, change } = await this.uploads.inTransaction(async (tx, uploads) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      if (!CHECKS_STATES.includes(locked.state))
        throw wrongState(locked.state, 'the checks cannot change once the upload has started');
      const { plan } = await uploads.decisions(ticketId);
      await uploads.storeChecks(ticketId, report);
      const judged = judgeChecksAgainstPlan(report, plan);
      const failed = report.results.filter((r) => !r.passed);
      const summary = `${report.results.length} check(s), ${failed.length} not passed${planFindingsNote(judged, plan !== null)}`;
      await tx.audit({ ticketId, actor, action: 'checks.stored', reason: summary });
      const target: MigrationState = judged.blocked ? 'checks_failed' : 'ready';
      let change: StateChange | null = null;
      if (locked.state !== target) change = await this.state.applyLocked(tx, locked, target, actor, summary);
      return { ticket: await tx.getTicket(ticketId), change };
    });
    if (change) this.state.publish(change);
    return toView(ticket);
  }

  /**
   * Validates the plan again with the contracts' rules and stores it with
   * the ticket. A plan that leaves a finding of the stored checks report that
   * the plan fixes is refused (CHECKS_UNRESOLVED); one that resolves the
   * last finding keeping the ticket in `checks_failed` moves it to `ready`.
   */
  async storePlan(ticketId: string, submission: PlanSubmission, actor: string): Promise<TicketView> {
    const issues = validatePlan(submission.plan, submission.directory);
    if (issues.length > 0) {
      throw new OmtError(
        'PLAN_INVALID',
        `The plan breaks ${issues.length} rule(s): ${issues.map((i) => i.message).join(' ')}`,
        issues.map((i) => ({ path: i.path, message: i.message })),
      );
    }
    const { ticket, change } = await this.uploads.inTransaction(async (tx, uploads) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      if (PLAN_FROZEN.includes(locked.state)) throw wrongState(locked.state, 'the plan can no longer change');
      const { checks } = await uploads.decisions(ticketId);
      const judged = checks && judgeChecksAgainstPlan(checks, submission.plan);
      const unresolved = judged?.remaining.filter((f) => f.planResolvable) ?? [];
      if (judged && unresolved.length > 0) throw remainingFindingsError({ ...judged, remaining: unresolved })!;
      await uploads.storePlan(ticketId, submission.plan);
      const withPlan = submission.plan.users.filter((u) => u.plan !== null).length;
      await tx.audit({
        ticketId,
        actor,
        action: 'plan.stored',
        reason: `${submission.plan.users.length} user(s), ${withPlan} with a user plan${judged ? planFindingsNote(judged, true) : ''}`,
      });
      let change: StateChange | null = null;
      if (locked.state === 'checks_failed' && judged && !judged.blocked) {
        const resolved = judged.findings.map((f) => f.id).join(', ');
        change = await this.state.applyLocked(
          tx,
          locked,
          'ready',
          actor,
          `the plan resolves the blocking check findings (${resolved})`,
        );
      }
      return { ticket: await tx.getTicket(ticketId), change };
    });
    if (change) this.state.publish(change);
    return toView(ticket);
  }
}
