import { Body, Controller, Delete, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  LEASE_HEADER,
  OmtError,
  errorEnvelopeSchema,
  leaseIdSchema,
  leaseRequestSchema,
  parseOrThrow,
  ticketLeaseSchema,
  type TicketLease,
} from '@omt/contracts';
import { openApiSchema } from '../auth/openapi';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { leaseRefusal } from './lease-refusal';
import { LeaseStore } from './lease-store';

function ticketOf(principal: Principal): string {
  if (principal.kind !== 'agent') throw new OmtError('FORBIDDEN', 'Only an agent token may use /api/agent.');
  return principal.ticketId;
}

/** `/api/agent/lease`: one agent process per ticket at a time. */
@ApiTags('agent')
@Controller('agent/lease')
@Roles('agent')
export class LeaseController {
  constructor(private readonly leases: LeaseStore) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Takes the ticket's lease (no leaseId), renews it (its leaseId), or takes it over after a restart (the remembered leaseId); it lapses after OMT_AGENT_LEASE_SECONDS unless renewed.",
  })
  @ApiBody({ schema: openApiSchema(leaseRequestSchema) })
  @ApiResponse({
    status: 200,
    description: 'The lease: its id, since when, until when.',
    schema: openApiSchema(ticketLeaseSchema),
  })
  @ApiResponse({
    status: 400,
    description: 'VALIDATION_FAILED, naming each bad field.',
    schema: openApiSchema(errorEnvelopeSchema),
  })
  @ApiResponse({
    status: 409,
    description: 'TICKET_LEASED: another agent process holds it (details: host, pid, since, lapsesAt).',
    schema: openApiSchema(errorEnvelopeSchema),
  })
  async take(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<TicketLease> {
    const outcome = await this.leases.take(
      ticketOf(principal),
      parseOrThrow(leaseRequestSchema, body, 'lease request'),
    );
    if (!outcome.taken) throw leaseRefusal(outcome.holder);
    return outcome.lease;
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Releases the lease named by x-omt-lease, if it is still held by it; a lapsed one is no error.',
  })
  @ApiHeader({ name: LEASE_HEADER, required: true, description: 'The id of the lease to release.' })
  @ApiResponse({ status: 204, description: 'Released, or held no more.' })
  @ApiResponse({
    status: 400,
    description: 'VALIDATION_FAILED: no or a malformed lease id.',
    schema: openApiSchema(errorEnvelopeSchema),
  })
  async release(
    @Headers(LEASE_HEADER) leaseId: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.leases.release(ticketOf(principal), parseOrThrow(leaseIdSchema, leaseId, `${LEASE_HEADER} header`));
  }
}
