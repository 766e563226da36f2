import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import {
  BATCH_CONTENT_TYPE,
  BATCH_HEADERS,
  OmtError,
  agentSessionSchema,
  batchCommitSchema,
  batchPartReceiptSchema,
  batchPartSchema,
  batchReceiptSchema,
  batchSequenceSchema,
  checkReportSchema,
  errorEnvelopeSchema,
  identifierSchema,
  missingDocumentsSchema,
  parseOrThrow,
  planSubmissionSchema,
  sha256HexSchema,
  startUploadSchema,
  tableCompleteSchema,
  tableNameOfSegment,
  tableSchemaSchema,
  ticketViewSchema,
  uploadManifestSchema,
  type AgentSession,
  type BatchPartReceipt,
  type BatchReceipt,
  type TableComplete,
  type TicketView,
  type UploadManifest,
} from '@omt/contracts';
import { openApiSchema } from '../auth/openapi';
import { actorOf, type Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { HoldsLease } from '../leases/lease.guard';
import { AgentSessionService } from './agent-session.service';
import { TableUploadsService } from './table-uploads.service';
import { UploadRunService } from './upload-run.service';

const envelope = openApiSchema(errorEnvelopeSchema);
const badRequest = { status: 400, description: 'VALIDATION_FAILED, naming each bad field.', schema: envelope } as const;
const wrongState = {
  status: 409,
  description: "CONFLICT: not possible in the ticket's state (the message says why).",
  schema: envelope,
} as const;
const tableParam = {
  name: 'table',
  description: 'The table name as `tablePathSegment(name)` from @omt/contracts: URL-encoded, `.`/`..` escaped.',
  schema: { type: 'string' },
} as const;
const notAnnounced = {
  status: 404,
  description: 'NOT_FOUND: the table was not announced at the upload start.',
  schema: envelope,
} as const;

/** A count in a header: digits only (a coerced empty header would read as 0). */
const countHeaderSchema = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a whole number')
  .transform(Number);

/** The ticket of the calling agent token: every path here works on it, and on no other. */
function ticketOf(principal: Principal): string {
  if (principal.kind !== 'agent') throw new OmtError('FORBIDDEN', 'Only an agent token may use /api/agent.');
  return principal.ticketId;
}

function tableOf(segment: string): string {
  return parseOrThrow(identifierSchema, tableNameOfSegment(segment), 'table name in the path');
}

@ApiTags('agent')
@Controller('agent')
@Roles('agent')
export class AgentUploadController {
  constructor(
    private readonly sessions: AgentSessionService,
    private readonly runs: UploadRunService,
    private readonly tables: TableUploadsService,
  ) {}

  @Get('session')
  @ApiOperation({ summary: "The agent's ticket, what has landed so far, and the mode it should work in (and why)." })
  @ApiResponse({ status: 200, description: 'The session.', schema: openApiSchema(agentSessionSchema) })
  session(@CurrentPrincipal() principal: Principal): Promise<AgentSession> {
    return this.sessions.session(ticketOf(principal));
  }

  @HoldsLease()
  @Put('checks')
  @ApiOperation({
    summary:
      'Stores the checks report; the ticket becomes ready, or checks_failed while a blocking finding remains (one fixed onsite, or one the plan fixes that the stored plan does not resolve; a plan that resolves it makes the ticket ready).',
  })
  @ApiBody({ schema: openApiSchema(checkReportSchema) })
  @ApiResponse({ status: 200, description: 'The ticket after the checks.', schema: openApiSchema(ticketViewSchema) })
  @ApiResponse(badRequest)
  @ApiResponse({ ...wrongState, description: 'CONFLICT once the upload has started.' })
  checks(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<TicketView> {
    return this.sessions.storeChecks(
      ticketOf(principal),
      parseOrThrow(checkReportSchema, body, 'checks report'),
      actorOf(principal),
    );
  }

  @HoldsLease()
  @Put('plan')
  @ApiOperation({
    summary: 'Validates the migration plan against the onsite directory again and stores it with the ticket.',
  })
  @ApiBody({ schema: openApiSchema(planSubmissionSchema) })
  @ApiResponse({ status: 200, description: 'The ticket; the plan is stored.', schema: openApiSchema(ticketViewSchema) })
  @ApiResponse(badRequest)
  @ApiResponse({
    ...wrongState,
    description: 'CONFLICT once the upload is complete (importing and later) or cancelled.',
  })
  @ApiResponse({
    status: 422,
    description:
      'PLAN_INVALID: one detail per broken rule, with its path in the plan. CHECKS_UNRESOLVED: the plan leaves blocking findings of the stored checks report that the plan fixes (shared login emails, no administrator with a plan), one detail per finding.',
    schema: envelope,
  })
  plan(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<TicketView> {
    return this.sessions.storePlan(
      ticketOf(principal),
      parseOrThrow(planSubmissionSchema, body, 'plan'),
      actorOf(principal),
    );
  }

  @HoldsLease()
  @Post('upload')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Starts an upload run (first run, resume or document recovery); answers what has landed, with the batch limits every run keeps.',
  })
  @ApiBody({ schema: openApiSchema(startUploadSchema) })
  @ApiResponse({
    status: 200,
    description: 'The manifest; `limits` are the ones to use.',
    schema: openApiSchema(uploadManifestSchema),
  })
  @ApiResponse(badRequest)
  @ApiResponse({
    ...wrongState,
    description:
      'CONFLICT: no plan stored, a state an upload cannot start from, or tables of an earlier run missing. CHECKS_BLOCKING: a blocking check finding remains (one detail per finding).',
  })
  @ApiResponse({
    status: 422,
    description:
      'CHECKS_UNRESOLVED: the stored plan leaves blocking findings that the plan fixes. NAME_COLLISION: two table names would share one PostgreSQL name in the tenant (names past 63 bytes are shortened with a hash); one detail per clash, naming both.',
    schema: envelope,
  })
  startUpload(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<UploadManifest> {
    return this.runs.start(
      ticketOf(principal),
      parseOrThrow(startUploadSchema, body, 'upload start'),
      actorOf(principal),
    );
  }

  @HoldsLease()
  @Put('tables/:table')
  @HttpCode(204)
  @ApiOperation({
    summary: "Stores a table's schema and queues its creation in the tenant; the same schema again is a no-op.",
  })
  @ApiParam(tableParam)
  @ApiBody({ schema: openApiSchema(tableSchemaSchema) })
  @ApiResponse({ status: 204, description: 'Stored (or already stored) and queued.' })
  @ApiResponse(badRequest)
  @ApiResponse(notAnnounced)
  @ApiResponse({
    ...wrongState,
    description: 'CONFLICT: not uploading, or the schema differs from the one stored first.',
  })
  @ApiResponse({
    status: 422,
    description:
      'NAME_COLLISION: a column, the table or its primary key would share a PostgreSQL name with another (names past 63 bytes are shortened with a hash); nothing is stored.',
    schema: envelope,
  })
  async putTable(
    @Param('table') segment: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.tables.putSchema(
      ticketOf(principal),
      tableOf(segment),
      parseOrThrow(tableSchemaSchema, body, 'table schema'),
    );
  }

  @HoldsLease()
  @Put('tables/:table/batches/:sequence')
  @ApiOperation({
    summary:
      'Stores one batch: the gzip of its COPY text, streamed and checked against the sha256 of the body, then queued for import; the worker checks the COPY text against its sha256, rows and bytes while it loads it. A re-send is answered `duplicate`.',
  })
  @ApiParam(tableParam)
  @ApiParam({
    name: 'sequence',
    description: 'The batch number within the table, from 0.',
    schema: { type: 'integer', minimum: 0 },
  })
  @ApiHeader({
    name: BATCH_HEADERS.gzipSha256,
    required: true,
    description: 'sha256 (lowercase hex) of the body as sent (the gzip).',
  })
  @ApiHeader({
    name: BATCH_HEADERS.sha256,
    required: true,
    description: 'sha256 (lowercase hex) of the uncompressed COPY text.',
  })
  @ApiHeader({ name: BATCH_HEADERS.rows, required: true, description: 'Rows (lines) in the batch.' })
  @ApiHeader({
    name: BATCH_HEADERS.firstRow,
    required: false,
    description: "Index of the batch's first row in the table's stream order (where a resume continues).",
  })
  @ApiHeader({ name: BATCH_HEADERS.bytes, required: true, description: 'Bytes of the uncompressed COPY text.' })
  @ApiConsumes(BATCH_CONTENT_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({
    status: 200,
    description: '`stored` (new, queued) or `duplicate` (arrived before).',
    schema: openApiSchema(batchReceiptSchema),
  })
  @ApiResponse(badRequest)
  @ApiResponse(notAnnounced)
  @ApiResponse({
    ...wrongState,
    description: 'BATCH_CONFLICT: this sequence arrived with other bytes; CONFLICT: not uploading or no schema yet.',
  })
  @ApiResponse({
    status: 413,
    description: 'PAYLOAD_TOO_LARGE: over OMT_MAX_BATCH_BYTES sent, or x-omt-bytes over twice the batch byte limit.',
    schema: envelope,
  })
  @ApiResponse({
    status: 422,
    description: 'CHECKSUM_MISMATCH (the body is not what x-omt-gzip-sha256 says), or BATCH_INVALID (not gzip).',
    schema: envelope,
  })
  async putBatch(
    @Param('table') segment: string,
    @Param('sequence') sequence: string,
    @Headers() headers: Record<string, string | undefined>,
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BatchReceipt> {
    return receivingGzip(request, 'A batch', () => {
      const claim = {
        table: tableOf(segment),
        sequence: parseOrThrow(batchSequenceSchema, sequence, 'batch sequence'),
        gzipSha256: parseOrThrow(
          sha256HexSchema,
          headers[BATCH_HEADERS.gzipSha256],
          `${BATCH_HEADERS.gzipSha256} header`,
        ),
        sha256: parseOrThrow(sha256HexSchema, headers[BATCH_HEADERS.sha256], `${BATCH_HEADERS.sha256} header`),
        rows: parseOrThrow(countHeaderSchema, headers[BATCH_HEADERS.rows], `${BATCH_HEADERS.rows} header`),
        bytes: parseOrThrow(countHeaderSchema, headers[BATCH_HEADERS.bytes], `${BATCH_HEADERS.bytes} header`),
        firstRow:
          headers[BATCH_HEADERS.firstRow] === undefined
            ? null
            : parseOrThrow(countHeaderSchema, headers[BATCH_HEADERS.firstRow], `${BATCH_HEADERS.firstRow} header`),
      };
      return this.tables.receiveBatch(ticketOf(principal), claim, request);
    });
  }

  @HoldsLease()
  @Put('tables/:table/batches/:sequence/parts/:part')
  @ApiOperation({
    summary:
      'Stores one part of a batch too large for one request (a slice of its gzip), checked against its sha256; sent again, it replaces the part held. After the commit, parts are answered `duplicate`.',
  })
  @ApiParam(tableParam)
  @ApiParam({ name: 'sequence', description: 'The batch number within the table.', schema: { type: 'integer', minimum: 0 } })
  @ApiParam({ name: 'part', description: 'The part number within the batch, from 0.', schema: { type: 'integer', minimum: 0 } })
  @ApiHeader({
    name: BATCH_HEADERS.gzipSha256,
    required: true,
    description: 'sha256 (lowercase hex) of this part as sent.',
  })
  @ApiConsumes(BATCH_CONTENT_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({
    status: 200,
    description: '`stored` (held until the commit) or `duplicate` (the batch is committed).',
    schema: openApiSchema(batchPartReceiptSchema),
  })
  @ApiResponse(badRequest)
  @ApiResponse(notAnnounced)
  @ApiResponse({ ...wrongState, description: 'CONFLICT: not uploading or no schema yet.' })
  @ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE: a part over OMT_MAX_BATCH_BYTES.', schema: envelope })
  @ApiResponse({
    status: 422,
    description: 'CHECKSUM_MISMATCH (the part is not what x-omt-gzip-sha256 says), or BATCH_INVALID (part 0 not gzip, or an empty part).',
    schema: envelope,
  })
  async putBatchPart(
    @Param('table') segment: string,
    @Param('sequence') sequence: string,
    @Param('part') part: string,
    @Headers() headers: Record<string, string | undefined>,
    @Req() request: Request,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BatchPartReceipt> {
    return receivingGzip(request, 'A batch part', () => {
      const claim = {
        table: tableOf(segment),
        sequence: parseOrThrow(batchSequenceSchema, sequence, 'batch sequence'),
        part: parseOrThrow(batchPartSchema, part, 'batch part'),
        gzipSha256: parseOrThrow(
          sha256HexSchema,
          headers[BATCH_HEADERS.gzipSha256],
          `${BATCH_HEADERS.gzipSha256} header`,
        ),
      };
      return this.tables.receivePart(ticketOf(principal), claim, request);
    });
  }

  @HoldsLease()
  @Post('tables/:table/batches/:sequence/commit')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Ends a batch sent in parts: with every part held, records it and queues its import (the worker checks the whole batch's sha256, rows and bytes before COMMIT). A commit again is answered `duplicate`.",
  })
  @ApiParam(tableParam)
  @ApiParam({ name: 'sequence', description: 'The batch number within the table.', schema: { type: 'integer', minimum: 0 } })
  @ApiBody({ schema: openApiSchema(batchCommitSchema) })
  @ApiResponse({ status: 200, description: '`stored` (new, queued) or `duplicate`.', schema: openApiSchema(batchReceiptSchema) })
  @ApiResponse(badRequest)
  @ApiResponse(notAnnounced)
  @ApiResponse({
    ...wrongState,
    description: 'BATCH_CONFLICT: this sequence was committed with other bytes; CONFLICT: not uploading or no schema yet.',
  })
  @ApiResponse({
    status: 422,
    description: 'BATCH_PARTS_MISSING: parts of the batch have not arrived (named in the details).',
    schema: envelope,
  })
  commitBatch(
    @Param('table') segment: string,
    @Param('sequence') sequence: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BatchReceipt> {
    return this.tables.commitBatch(
      ticketOf(principal),
      tableOf(segment),
      parseOrThrow(batchSequenceSchema, sequence, 'batch sequence'),
      parseOrThrow(batchCommitSchema, body, 'batch commit'),
    );
  }

  @HoldsLease()
  @Post('tables/:table/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: "Stores the source's figures of a table (batches, rows, content hash) after its last batch.",
  })
  @ApiParam(tableParam)
  @ApiBody({ schema: openApiSchema(tableCompleteSchema) })
  @ApiResponse({ status: 200, description: 'The stored figures.', schema: openApiSchema(tableCompleteSchema) })
  @ApiResponse(badRequest)
  @ApiResponse(notAnnounced)
  @ApiResponse({ ...wrongState, description: 'CONFLICT: not uploading, or other figures were stored before.' })
  completeTable(
    @Param('table') segment: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TableComplete> {
    const figures = parseOrThrow(tableCompleteSchema, body, 'table figures');
    return this.tables.complete(ticketOf(principal), tableOf(segment), figures, actorOf(principal));
  }

  @HoldsLease()
  @Put('documents/missing')
  @HttpCode(204)
  @ApiOperation({ summary: 'Replaces the list of documents that could not be uploaded, each with its reason.' })
  @ApiBody({ schema: openApiSchema(missingDocumentsSchema) })
  @ApiResponse({ status: 204, description: 'Stored.' })
  @ApiResponse(badRequest)
  @ApiResponse({ ...wrongState, description: 'CONFLICT: not uploading or recovering.' })
  async missingDocuments(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.runs.storeMissingDocuments(
      ticketOf(principal),
      parseOrThrow(missingDocumentsSchema, body, 'missing documents'),
    );
  }

  @HoldsLease()
  @Post('upload/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ends the upload run once every table is whole; the ticket moves to importing and verification follows.',
  })
  @ApiResponse({ status: 200, description: 'The session after the run.', schema: openApiSchema(agentSessionSchema) })
  @ApiResponse({
    ...wrongState,
    description: 'CONFLICT: tables without figures or with batches missing (named), or no run going.',
  })
  completeUpload(@CurrentPrincipal() principal: Principal): Promise<AgentSession> {
    return this.runs.complete(ticketOf(principal), actorOf(principal));
  }
}

/**
 * Runs a route that reads a gzip body (a batch or a part of one) after
 * checking its Content-Type. On any refusal, what the client is still
 * sending is read and dropped, so it gets the answer instead of a reset
 * connection.
 */
async function receivingGzip<T>(request: Request, what: string, receive: () => Promise<T>): Promise<T> {
  try {
    if (!request.is(BATCH_CONTENT_TYPE)) {
      throw new OmtError('VALIDATION_FAILED', `${what} is sent as Content-Type: ${BATCH_CONTENT_TYPE}.`, [
        { path: 'content-type', message: `must be ${BATCH_CONTENT_TYPE}` },
      ]);
    }
    return await receive();
  } catch (error) {
    request.resume();
    throw error;
  }
}
