import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  errorEnvelopeSchema,
  listTicketsQuerySchema,
  parseOrThrow,
  queueHealthSchema,
  ticketOverviewListSchema,
  type QueueHealth,
  type TicketOverviewList,
} from '@omt/contracts';
import { ApiQueryFrom, openApiSchema } from '../auth/openapi';
import { Roles } from '../auth/roles.decorator';
import { QueueHealthService } from './queue-health.service';
import { TicketsOverviewService } from './tickets-overview.service';

/** The operations dashboard's reads: the tickets list with figures, and queue health. */
@ApiTags('dashboard')
@Controller()
@Roles('ops', 'admin')
export class QueueHealthController {
  constructor(
    private readonly health: QueueHealthService,
    private readonly overview: TicketsOverviewService,
  ) {}

  @Get('queues')
  @ApiOperation({
    summary: 'Jobs waiting, active, delayed and failed per queue, and the migrations that have stalled.',
  })
  @ApiResponse({ status: 200, description: 'Measured now.', schema: openApiSchema(queueHealthSchema) })
  queues(): Promise<QueueHealth> {
    return this.health.health();
  }

  @Get('tickets-overview')
  @ApiOperation({
    summary:
      'A page of tickets (filters and order of GET /api/tickets) with progress, downtime, migrator and last event.',
  })
  @ApiQueryFrom(listTicketsQuerySchema)
  @ApiResponse({ status: 200, description: 'One page.', schema: openApiSchema(ticketOverviewListSchema) })
  @ApiResponse({
    status: 400,
    description: 'VALIDATION_FAILED, naming each bad field.',
    schema: openApiSchema(errorEnvelopeSchema),
  })
  ticketsOverview(@Query() query: unknown): Promise<TicketOverviewList> {
    return this.overview.list(parseOrThrow(listTicketsQuerySchema, query, 'query'));
  }
}
