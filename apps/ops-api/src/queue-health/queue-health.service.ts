import { Inject, Injectable } from '@nestjs/common';
import { isStalled, type QueueCounts, type QueueHealth, type StalledTicket } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { QueuesService } from '../queues/queues.service';
import { TicketActivityRepository } from './ticket-activity.repository';

/** What the dashboard's queue panel shows: jobs per queue and the migrations that stopped moving. */
@Injectable()
export class QueueHealthService {
  constructor(
    private readonly queues: QueuesService,
    private readonly activity: TicketActivityRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async counts(): Promise<QueueCounts[]> {
    return Promise.all(
      this.queues.all().map(async (queue) => {
        const counts = await queue.getJobCounts(
          'wait',
          'paused',
          'prioritized',
          'waiting-children',
          'active',
          'delayed',
          'failed',
        );
        const count = (type: string) => counts[type] ?? 0;
        return {
          queue: queue.name,
          // Everything that will run without a timer: plain, paused, prioritized, or waiting for its children.
          waiting: count('wait') + count('paused') + count('prioritized') + count('waiting-children'),
          active: count('active'),
          delayed: count('delayed'),
          failed: count('failed'),
        };
      }),
    );
  }

  async stalled(now = new Date()): Promise<StalledTicket[]> {
    const running = await this.activity.running();
    return running
      .filter((ticket) => isStalled(ticket.state, ticket.lastProgressAt, now, this.config.stalledAfterMinutes))
      .map((ticket) => ({
        ticket: {
          id: ticket.ticketId,
          customerId: ticket.customerId,
          companyName: ticket.companyName,
          state: ticket.state,
          kind: ticket.kind,
        },
        lastProgressAt: ticket.lastProgressAt,
        lastEvent: ticket.lastEvent,
      }));
  }

  async health(): Promise<QueueHealth> {
    const now = new Date();
    const [queues, stalled] = await Promise.all([this.counts(), this.stalled(now)]);
    return { queues, at: now.toISOString(), stalledAfterMinutes: this.config.stalledAfterMinutes, stalled };
  }
}
