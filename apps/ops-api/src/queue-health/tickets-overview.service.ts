import { Inject, Injectable } from '@nestjs/common';
import type { ListTicketsQuery, TicketOverview, TicketOverviewList } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { TicketsRepository, toView, type TicketRecord } from '../ticket-state/tickets.repository';
import { ProgressService } from '../ledger/progress.service';
import { TicketActivityRepository, type TicketActivity } from './ticket-activity.repository';

/** The dashboard's list: one page of tickets (same filters and order as `GET /api/tickets`) with their figures. */
@Injectable()
export class TicketsOverviewService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly activity: TicketActivityRepository,
    private readonly progress: ProgressService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(query: ListTicketsQuery): Promise<TicketOverviewList> {
    const page = await this.tickets.list(query);
    const activity = await this.activity.forTickets(page.items.map((ticket) => ticket.id));
    // Progress through the service that sends `ticket.progressed`, so first load and live events agree.
    const items = await Promise.all(page.items.map((record) => this.overview(record, activity)));
    return {
      items: items.filter((item) => item !== null),
      total: page.total,
      limit: query.limit,
      offset: query.offset,
      stalledAfterMinutes: this.config.stalledAfterMinutes,
    };
  }

  private async overview(record: TicketRecord, activity: Map<string, TicketActivity>): Promise<TicketOverview | null> {
    const progress = await this.progress.current(record.id);
    const found = activity.get(record.id);
    // Deleted between the reads (a test clean-up): left out of this page rather than shown half-known.
    if (!progress || !found) return null;
    return {
      ticket: toView(record),
      progress,
      migrator: found.migrator,
      uploadStartedAt: found.uploadStartedAt,
      finishedAt: found.finishedAt,
      lastProgressAt: found.lastProgressAt,
      lastEvent: found.lastEvent,
    };
  }
}
