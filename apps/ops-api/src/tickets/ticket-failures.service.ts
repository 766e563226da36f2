import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { OmtError, QUEUES, type MigrationState, type QueueName, type TicketFailure, type TicketView } from '@omt/contracts';
import { QueuesService } from '../queues/queues.service';
import { TicketDetailRepository } from './ticket-detail.repository';
import { TicketStateService, ticketNotFound, type StateChange } from '../ticket-state/ticket-state.service';
import { TicketsRepository, toView } from '../ticket-state/tickets.repository';

/**
 * Where a failed ticket goes back to when ops retry a job: the state it
 * failed from. Verification starts from `importing` by itself, so a ticket
 * that failed while verifying goes back there; without a trail, the job's
 * queue decides.
 */
export function resumeStateOf(failedFrom: MigrationState | null, queue: QueueName): MigrationState {
  if (failedFrom === 'verifying') return 'importing';
  if (failedFrom) return failedFrom;
  return queue === QUEUES.configure ? 'configuring' : 'importing';
}

const jobNotFound = (ticketId: string, jobId: string) =>
  new OmtError('NOT_FOUND', `Ticket ${ticketId} has no failed job ${jobId}.`, [{ path: 'jobId', message: 'no such job of this ticket' }]);

/** The failed BullMQ jobs of a ticket (job data carries the ticketId), read from the queues themselves. */
@Injectable()
export class TicketFailuresService {
  constructor(
    private readonly queues: QueuesService,
    private readonly tickets: TicketsRepository,
    private readonly detail: TicketDetailRepository,
    private readonly state: TicketStateService,
  ) {}

  /** Newest first. Reads every failed job of every queue: failures are few and kept for a bounded time. */
  async list(ticketId: string): Promise<TicketFailure[]> {
    const perQueue = await Promise.all(
      this.queues.all().map(async (queue) => (await queue.getFailed()).filter((job) => ownedBy(job, ticketId)).map((job) => failureOf(queue, job))),
    );
    return perQueue.flat().sort((a, b) => (a.failedAt < b.failedAt ? 1 : a.failedAt > b.failedAt ? -1 : 0));
  }

  /**
   * Puts a failed job of this ticket back in its queue with its attempts
   * renewed. A `failed` ticket first goes back to the state the job works
   * in (see resumeStateOf), so the job finds it where it expects it.
   */
  async retry(ticketId: string, jobId: string, actor: string, note: string | null = null): Promise<TicketView> {
    const ticket = await this.tickets.findById(ticketId);
    if (!ticket) throw ticketNotFound(ticketId);
    const found = await this.findJob(ticketId, jobId);
    if (!found) throw jobNotFound(ticketId, jobId);
    const { queue, job } = found;
    const jobState = await job.getState();
    if (jobState !== 'failed') {
      throw new OmtError('CONFLICT', `Job ${jobId} is ${jobState}, not failed; there is nothing to retry.`, [{ path: 'jobId', message: jobState }]);
    }
    const failedFrom = await this.detail.stateBeforeFailure(ticketId);
    const reason = `retrying ${job.name} (job ${jobId})${note ? `: ${note}` : ''}`;
    const { view, change } = await this.tickets.inTransaction(async (tx) => {
      const locked = await tx.lockTicket(ticketId);
      if (!locked) throw ticketNotFound(ticketId);
      let change: StateChange | null = null;
      if (locked.state === 'failed') {
        change = await this.state.applyLocked(tx, locked, resumeStateOf(failedFrom, queue.name as QueueName), actor, reason);
      }
      await tx.audit({ ticketId, actor, action: 'job.retried', reason });
      return { view: toView(await tx.getTicket(ticketId)), change };
    });
    if (change) this.state.publish(change);
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return view;
  }

  private async findJob(ticketId: string, jobId: string): Promise<{ queue: Queue; job: Job } | null> {
    for (const queue of this.queues.all()) {
      const job = (await queue.getJob(jobId)) as Job | undefined;
      if (job && ownedBy(job, ticketId)) return { queue, job };
    }
    return null;
  }
}

function ownedBy(job: Job | undefined, ticketId: string): boolean {
  return (job?.data as { ticketId?: unknown } | undefined)?.ticketId === ticketId;
}

function failureOf(queue: Queue, job: Job): TicketFailure {
  return {
    queue: queue.name,
    jobId: String(job.id),
    jobName: job.name,
    error: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    failedAt: new Date(job.finishedOn ?? job.processedOn ?? job.timestamp).toISOString(),
  };
}
