import { Controller, Head, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { errorEnvelopeSchema, isOmtError } from '@omt/contracts';
import { openApiSchema } from '../auth/openapi';
import { CurrentPrincipal, ReusesAgentAuth, Roles } from '../auth/roles.decorator';
import type { Principal } from '../auth/principal';
import { isUploadOf } from '../storage/blob-store-keys';
import { noSuchUpload } from './document-keys';
import { HoldsLease } from '../leases/lease.guard';
import { DocumentTusServer } from './document-tus.server';

const envelope = openApiSchema(errorEnvelopeSchema);
const uploadId = {
  name: 'id',
  description: 'The upload, as the Location of its POST names it.',
  schema: { type: 'string' },
} as const;

/**
 * `POST/HEAD/PATCH /api/agent/documents[/:id]`: the tus 1.0 protocol
 * (creation, offset, resume). The guard authenticates the agent token; tus
 * takes the raw request from there (Nest's JSON and form parsers leave
 * `application/offset+octet-stream` alone).
 */
@ApiTags('agent')
@Controller('agent/documents')
@Roles('agent')
// Two requests per document: the token is looked up once per AGENT_TOKEN_REUSE_MS, not each time.
@ReusesAgentAuth()
export class DocumentsController {
  constructor(private readonly tus: DocumentTusServer) {}

  @HoldsLease()
  @Post()
  @ApiOperation({
    summary: 'Creates a resumable document upload (tus). Upload-Metadata: documentId, relativePath, sha256, bytes.',
  })
  @ApiHeader({ name: 'Tus-Resumable', required: true, description: '1.0.0' })
  @ApiHeader({ name: 'Upload-Length', required: true, description: "The document's size in bytes." })
  @ApiResponse({ status: 201, description: 'Created; Location is the upload URL.' })
  @ApiResponse({ status: 400, description: 'VALIDATION_FAILED: metadata missing or malformed.', schema: envelope })
  @ApiResponse({
    status: 409,
    description: 'STATE_TRANSITION_FORBIDDEN: the ticket is not uploading or recovering.',
    schema: envelope,
  })
  @ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE: beyond OMT_MAX_DOCUMENT_BYTES.', schema: envelope })
  create(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.tus.handle(req, res);
  }

  @HoldsLease()
  @Head(':id')
  @ApiOperation({ summary: 'The offset of an upload of this ticket, to resume from (tus).' })
  @ApiParam(uploadId)
  @ApiResponse({ status: 200, description: 'Upload-Offset and Upload-Length.' })
  @ApiResponse({
    status: 404,
    description:
      "NOT_FOUND: no such upload of this ticket (any more, or another ticket's, or not an upload id): start a new one.",
  })
  async offset(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const ticketId = ownUpload(principal, id);
    // A mismatching upload is removed by this, and tus then answers 404: the agent starts over.
    await this.tus.finishIfComplete(ticketId, id).catch((error: unknown) => {
      if (!isOmtError(error) || error.code !== 'CHECKSUM_MISMATCH') throw error;
    });
    return this.tus.handle(req, res);
  }

  @HoldsLease()
  @Patch(':id')
  @ApiOperation({
    summary: 'Appends bytes at Upload-Offset (tus); the last byte triggers the sha256 check and the import job.',
  })
  @ApiParam(uploadId)
  @ApiHeader({
    name: 'Upload-Offset',
    required: true,
    description: 'Where these bytes start: the offset HEAD answered.',
  })
  @ApiResponse({ status: 204, description: 'Accepted; Upload-Offset is the new offset.' })
  @ApiResponse({
    status: 404,
    description: 'NOT_FOUND: no such upload of this ticket (or not an upload id).',
    schema: envelope,
  })
  @ApiResponse({ status: 409, description: "The offset is not the upload's current one (tus)." })
  @ApiResponse({
    status: 422,
    description: 'CHECKSUM_MISMATCH: the bytes do not match the announced sha256; upload discarded.',
    schema: envelope,
  })
  patch(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    ownUpload(principal, id);
    return this.tus.handle(req, res);
  }
}

/**
 * The agent's ticket, if `id` is a well-formed upload id of it; NOT_FOUND
 * otherwise, before tus or any store sees the id (tus checks it again on
 * the URL it reads).
 */
function ownUpload(principal: Principal, id: string): string {
  if (principal.kind !== 'agent' || !isUploadOf(id, principal.ticketId)) throw noSuchUpload();
  return principal.ticketId;
}
