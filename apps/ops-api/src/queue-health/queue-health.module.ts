import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { QueuesModule } from '../queues/queues.module';
import { TicketsModule } from '../tickets/tickets.module';
import { ProgressModule } from '../uploads/progress.module';
import { QueueHealthController } from './queue-health.controller';
import { QueueHealthService } from './queue-health.service';
import { QueueMeasurer } from './queue-measurer';
import { TicketActivityRepository } from './ticket-activity.repository';
import { TicketsOverviewService } from './tickets-overview.service';

/** The dashboard's reads beyond the tickets API (list figures, queue health) and the periodic `queues.measured` push. */
@Module({
  imports: [EventsModule, QueuesModule, TicketsModule, ProgressModule],
  controllers: [QueueHealthController],
  providers: [TicketActivityRepository, QueueHealthService, TicketsOverviewService, QueueMeasurer],
})
export class QueueHealthModule {}
