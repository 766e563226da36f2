import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { LeasesModule } from '../leases/leases.module';
import { TicketStateService } from './ticket-state.service';
import { TicketsRepository } from './tickets.repository';

/** State changes of tickets, for the api's features and the worker's processors alike (no controllers). */
@Module({
  imports: [EventsModule, LeasesModule],
  providers: [TicketsRepository, TicketStateService],
  exports: [TicketsRepository, TicketStateService],
})
export class TicketStateModule {}
