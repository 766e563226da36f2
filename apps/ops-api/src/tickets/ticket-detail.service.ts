import { Injectable } from '@nestjs/common';
import { chooseAgentMode, type TicketDetail } from '@omt/contracts';
import { AuditRepository } from '../audit/audit.repository';
import { RetentionService } from '../retention/retention.service';
import { UploadsRepository } from '../ledger/uploads.repository';
import { TicketDetailRepository } from './ticket-detail.repository';
import { TicketFailuresService } from './ticket-failures.service';
import { ticketNotFound } from '../ticket-state/ticket-state.service';
import { TicketsRepository, toView } from '../ticket-state/tickets.repository';

/** The ticket page: the ticket with its checks, plan, tables, documents, failures and the agent's mode. */
@Injectable()
export class TicketDetailService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly detail: TicketDetailRepository,
    private readonly uploads: UploadsRepository,
    private readonly failures: TicketFailuresService,
    private readonly retention: RetentionService,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * The page as `reader` (an ops user's actor) sees it. It shows customer
   * data (checks, plan, failed jobs' errors), so the read goes to the audit
   * trail, once per reader and ticket in a while (AuditRepository.recordView).
   */
  async detailFor(ticketId: string, reader: string): Promise<TicketDetail> {
    const detail = await this.detailOf(ticketId);
    const failures = detail.failures.length;
    await this.audit.recordView(
      ticketId,
      reader,
      'detail',
      `read the ticket page${failures > 0 ? ` with ${failures} failed job(s) and their errors` : ''}`,
    );
    return detail;
  }

  private async detailOf(ticketId: string): Promise<TicketDetail> {
    const ticket = await this.tickets.findById(ticketId);
    if (!ticket) throw ticketNotFound(ticketId);
    const [fields, tables, manifest, failures, retention] = await Promise.all([
      this.detail.uploadFields(ticketId),
      this.detail.tables(ticketId),
      this.uploads.manifest(ticketId),
      this.failures.list(ticketId),
      this.retention.retentionOf(ticketId),
    ]);
    // The mode an agent starting now would choose: the agent's own rule over the same manifest.
    const { mode, reason } = chooseAgentMode(ticket.state, manifest);
    return {
      ticket: toView(ticket),
      checks: fields.checks,
      plan: fields.plan,
      tables,
      documents: {
        expected: fields.expectedDocuments,
        expectedBytes: fields.expectedDocumentBytes,
        received: manifest.documents.length,
        receivedBytes: manifest.documents.reduce((sum, d) => sum + d.bytes, 0),
        missing: manifest.missingDocuments,
      },
      failures,
      uploadStartedAt: fields.uploadStartedAt?.toISOString() ?? null,
      lastActivityAt: fields.lastActivityAt?.toISOString() ?? null,
      mode,
      modeReason: reason,
      retention,
    };
  }
}
