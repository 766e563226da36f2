import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  MIGRATION_KINDS,
  MIGRATION_STATES,
  errorEnvelopeSchema,
  listTicketsQuerySchema,
  parseOrThrow,
  queueHealthSchema,
  ticketOverviewListSchema,
  type QueueHealth,
  type TicketOverviewList,
} from '@omt/contracts';
import { openApiSchema } from '../common/openapi';
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
  @ApiQuery({ name: 'state', required: false, enum: MIGRATION_STATES })
  @ApiQuery({ name: 'kind', required: false, enum: MIGRATION_KINDS })
  @ApiQuery({ name: 'customerId', required: false, schema: { type: 'string', pattern: '^Cust[0-9]{1,12}$' } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
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
