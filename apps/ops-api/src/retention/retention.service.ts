import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { FINAL_STATES, type TicketRetention } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import { BLOB_STORE, type BlobStore } from '../storage/blob-store';
import { parseBlobKey } from '../storage/blob-store-keys';
import { RetentionRepository } from './retention.repository';
import { dueCutoff, partialCutoff, purgeAt } from './retention-policy';
import { deleteWorkingCopies } from './working-copies';

/** What one sweep did. */
export interface SweepResult {
  /** Tickets whose working copies were deleted. */
  tickets: number;
  /** `.part` files of interrupted writes and abandoned document uploads deleted. */
  partialFiles: number;
}

/**
 * Keeps customer data only as long as omt needs it: the working copies of
 * finished tickets go after the grace period, and what interrupted writes
 * and uploads left behind goes once it is clearly abandoned. The tenant's
 * database and archive are the customer's and never touched here.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly repository: RetentionRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sweep(now = new Date()): Promise<SweepResult> {
    const cutoff = dueCutoff(now, this.config.retentionHours);
    let tickets = 0;
    for (const ticketId of await this.repository.dueTickets(cutoff)) {
      const held = await this.repository.purge(ticketId, cutoff, () => deleteWorkingCopies(this.blobs, ticketId));
      if (held) {
        tickets += 1;
        this.logger.info({ ticketId, ...held }, 'working copies deleted after the grace period');
      }
    }
    const stale = partialCutoff(now, this.config.partialFileHours);
    const partialFiles = (await this.blobs.sweepPartials(stale)) + (await this.sweepUploads(stale));
    return { tickets, partialFiles };
  }

  /** What the ticket page shows: what is held, and when it goes (or went). */
  async retentionOf(ticketId: string): Promise<TicketRetention> {
    const [facts, held] = await Promise.all([this.repository.facts(ticketId), this.repository.held(ticketId)]);
    if (facts?.purgedAt) {
      return {
        batchFiles: 0,
        batchBytes: 0,
        uploadFiles: 0,
        uploadBytes: 0,
        purgeAt: null,
        purgedAt: facts.purgedAt.toISOString(),
      };
    }
    const at = facts ? purgeAt(facts.state, facts.enteredAt, this.config.retentionHours) : null;
    return { ...held, purgeAt: at?.toISOString() ?? null, purgedAt: null };
  }

  /**
   * Document uploads no ledger row points at (never finished, or finished
   * without being recorded) are abandoned when their ticket is completed or
   * cancelled, or when nothing wrote to them since `stale`: an agent that
   * resumes later starts them again.
   */
  private async sweepUploads(stale: Date): Promise<number> {
    const uploads = await this.blobs.listUploads();
    const keys = uploads.map((upload) => upload.key);
    const recorded = await this.repository.recordedUploadKeys(keys);
    const ticketOf = (key: string) => parseBlobKey(key)?.ticketId ?? '';
    const states = await this.repository.states([...new Set(keys.map(ticketOf))]);
    let removed = 0;
    for (const upload of uploads) {
      if (recorded.has(upload.key)) continue;
      const state = states.get(ticketOf(upload.key));
      const abandoned = state === undefined || FINAL_STATES.includes(state) || upload.modifiedAt < stale;
      if (!abandoned) continue;
      await this.blobs.delete(upload.key);
      removed += 1;
    }
    return removed;
  }
}
