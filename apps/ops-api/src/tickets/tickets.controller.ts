import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  createTicketRequestSchema,
  createTicketResponseSchema,
  enrollmentCodeIssuedSchema,
  errorEnvelopeSchema,
  listTicketsQuerySchema,
  opsActionRequestSchema,
  parseOrThrow,
  ticketEventListSchema,
  ticketDetailSchema,
  ticketIdParamSchema,
  ticketJobParamSchema,
  ticketListSchema,
  ticketViewSchema,
  type CreateTicketResponse,
  type EnrollmentCodeIssued,
  type TicketDetail,
  type TicketEventList,
  type TicketList,
  type TicketView,
} from '@omt/contracts';
import { ApiQueryFrom, openApiSchema } from '../auth/openapi';
import { actorOf, assertTicketAccess, type Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { TicketActionsService } from './ticket-actions.service';
import { TicketDetailService } from './ticket-detail.service';
import { TicketFailuresService } from './ticket-failures.service';
import { TicketsService } from './tickets.service';

const envelope = openApiSchema(errorEnvelopeSchema);
const idParam = { name: 'id', description: 'Ticket id (UUID).', schema: { type: 'string', format: 'uuid' } } as const;
const badRequest = { status: 400, description: 'VALIDATION_FAILED, naming each bad field.', schema: envelope } as const;
const notFound = { status: 404, description: 'No such ticket.', schema: envelope } as const;
const conflict = { status: 409, description: 'A forbidden state transition (with its code) or a conflict.', schema: envelope } as const;
const actionBody = { schema: openApiSchema(opsActionRequestSchema), required: false } as const;

const ticketId = (params: unknown) => parseOrThrow(ticketIdParamSchema, params, 'path').id;
const reasonOf = (body: unknown) => parseOrThrow(opsActionRequestSchema, body ?? {}, 'request body').reason ?? null;

@ApiTags('tickets')
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly actions: TicketActionsService,
    private readonly details: TicketDetailService,
    private readonly failures: TicketFailuresService,
  ) {}

  @Post()
  @Roles('sales')
  @ApiOperation({ summary: 'Opens a migration ticket; answers the one-time enrollment code for the migrator.' })
  @ApiBody({ schema: openApiSchema(createTicketRequestSchema) })
  @ApiResponse({ status: 201, description: 'Created; the enrollment code is shown only here.', schema: openApiSchema(createTicketResponseSchema) })
  @ApiResponse(badRequest)
  @ApiResponse({ status: 409, description: 'TICKET_ALREADY_OPEN or LIVE_MIGRATION_COMPLETED.', schema: envelope })
  create(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<CreateTicketResponse> {
    return this.tickets.create(parseOrThrow(createTicketRequestSchema, body, 'ticket'), actorOf(principal));
  }

  @Get()
  @Roles('ops', 'admin')
  @ApiOperation({ summary: 'Lists tickets, newest first, filtered by state, kind and customer, in pages.' })
  @ApiQueryFrom(listTicketsQuerySchema)
  @ApiResponse({ status: 200, description: 'One page.', schema: openApiSchema(ticketListSchema) })
  @ApiResponse(badRequest)
  list(@Query() query: unknown): Promise<TicketList> {
    return this.tickets.list(parseOrThrow(listTicketsQuerySchema, query, 'query'));
  }

  @Get(':id')
  @Roles('ops', 'admin', 'agent')
  @ApiOperation({ summary: 'One ticket with its tenant; an agent token opens only its own.' })
  @ApiParam(idParam)
  @ApiResponse({ status: 200, description: 'The ticket.', schema: openApiSchema(ticketViewSchema) })
  @ApiResponse(badRequest)
  @ApiResponse(notFound)
  get(@Param() params: unknown, @CurrentPrincipal() principal: Principal): Promise<TicketView> {
    const id = ticketId(params);
    assertTicketAccess(principal, id);
    return this.tickets.get(id);
  }

  @Get(':id/events')
  @Roles('ops', 'admin', 'agent')
  @ApiOperation({ summary: "The ticket's audit trail: when, who, from, to, why." })
  @ApiParam(idParam)
  @ApiResponse({ status: 200, description: 'Oldest first.', schema: openApiSchema(ticketEventListSchema) })
  @ApiResponse(badRequest)
  @ApiResponse(notFound)
  events(@Param() params: unknown, @CurrentPrincipal() principal: Principal): Promise<TicketEventList> {
    const id = ticketId(params);
    assertTicketAccess(principal, id);
    return this.tickets.auditTrail(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('ops', 'admin')
  @ApiOperation({ summary: 'Cancels the ticket; its agent is told to stop.' })
  @ApiParam(idParam)
  @ApiBody(actionBody)
  @ApiResponse({ status: 200, description: 'Cancelled.', schema: openApiSchema(ticketViewSchema) })
  @ApiResponse(badRequest)
  @ApiResponse(notFound)
  @ApiResponse(conflict)
  cancel(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<TicketView> {
    return this.actions.cancel(ticketId(params), actorOf(principal), reasonOf(body));
  }

  @Post(':id/reset')
  @HttpCode(200)
  @Roles('ops', 'admin')
  @ApiOperation({ summary: 'Resets a test migration to created: wipes its tenant, revokes its agent, issues a new code.' })
  @ApiParam(idParam)
  @ApiBody(actionBody)
  @ApiResponse({ status: 200, description: 'Reset; the new code is shown only here.', schema: openApiSchema(enrollmentCodeIssuedSchema) })
  @ApiResponse(badRequest)
  @ApiResponse(notFound)
  @ApiResponse({ status: 409, description: 'Live migrations are never reset (STATE_TRANSITION_FORBIDDEN / LIVE_MIGRATION_COMPLETED).', schema: envelope })
  reset(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<EnrollmentCodeIssued> {
    return this.actions.reset(ticketId(params), actorOf(principal), reasonOf(body));
  }

  @Post(':id/enrollment-code')
  @HttpCode(200)
  @Roles('ops', 'admin')
  @ApiOperation({ summary: 'Issues a new enrollment code, revoking the old code and every agent token of the ticket.' })
  @ApiParam(idParam)
  @ApiBody(actionBody)
  @ApiResponse({ status: 200, description: 'The new code, shown only here.', schema: openApiSchema(enrollmentCodeIssuedSchema) })
  @ApiResponse(badRequest)
  @ApiResponse(notFound)
  @ApiResponse(conflict)
  issueEnrollmentCode(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<EnrollmentCodeIssued> {
    return this.actions.issueEnrollmentCode(ticketId(params), actorOf(principal), reasonOf(body));
  }

  @Get(':id/detail')
  @Roles('ops', 'admin')
  @ApiOperation({ summary: 'The ticket page: checks, plan, per-table progress, documents, failed jobs, the agent mode and the working copies held; each read is in the audit trail (`ticket.detailViewed`, once per user in 15 minutes).' })
  @ApiParam(idParam)
  @ApiResponse({ status: 200, description: 'The ticket with everything ops see of it.', schema: openApiSchema(ticketDetailSchema) })
  @ApiResponse(badRequest)
  @ApiResponse(notFound)
  detail(@Param() params: unknown, @CurrentPrincipal() principal: Principal): Promise<TicketDetail> {
    return this.details.detailFor(ticketId(params), actorOf(principal));
  }

  @Post(':id/failures/:jobId/retry')
  @HttpCode(200)
  @Roles('ops', 'admin')
  @ApiOperation({ summary: 'Retries a failed job of the ticket; a failed ticket goes back to the state the job works in.' })
  @ApiParam(idParam)
  @ApiParam({ name: 'jobId', description: 'A job id from the detail\'s failures.', schema: { type: 'string' } })
  @ApiBody(actionBody)
  @ApiResponse({ status: 200, description: 'Queued again; the ticket as it is now.', schema: openApiSchema(ticketViewSchema) })
  @ApiResponse(badRequest)
  @ApiResponse({ status: 404, description: 'No such ticket, or no failed job of it with that id.', schema: envelope })
  @ApiResponse({ status: 409, description: 'The job is not failed, or the ticket cannot go back (STATE_TRANSITION_FORBIDDEN).', schema: envelope })
  retry(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<TicketView> {
    const { id, jobId } = parseOrThrow(ticketJobParamSchema, params, 'path');
    return this.failures.retry(id, jobId, actorOf(principal), reasonOf(body));
  }
}
