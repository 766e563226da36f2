import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { QueuesModule } from '../queues/queues.module';
import { TicketStateModule } from '../ticket-state/ticket-state.module';
import { LedgerModule } from '../ledger/ledger.module';
import { QueueHealthController } from './queue-health.controller';
import { QueueHealthService } from './queue-health.service';
import { QueueMeasurer } from './queue-measurer';
import { TicketActivityRepository } from './ticket-activity.repository';
import { TicketsOverviewService } from './tickets-overview.service';

/** The dashboard's reads beyond the tickets API (list figures, queue health) and the periodic `queues.measured` push. */
@Module({
  imports: [EventsModule, QueuesModule, TicketStateModule, LedgerModule],
  controllers: [QueueHealthController],
  providers: [TicketActivityRepository, QueueHealthService, TicketsOverviewService, QueueMeasurer],
})
export class QueueHealthModule {}
