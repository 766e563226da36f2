import { Inject, Injectable } from '@nestjs/common';
import type { JobPayload } from '@omt/contracts';
import { JobProcessor, type JobHandler } from '../queues/job-handler';
import { BLOB_STORE, type BlobStore } from './blob-store';
import { loadBatch } from './batch-loader';
import { TenantDatabases } from './tenant-databases.service';

/** `import.tableCreated`: the table, mapped from the neutral types, without its key yet. */
@Injectable()
@JobProcessor('import.tableCreated')
export class TableCreatedProcessor implements JobHandler<'import.tableCreated'> {
  constructor(private readonly tenants: TenantDatabases) {}

  async handle(payload: JobPayload<'import.tableCreated'>): Promise<void> {
    const tenant = await this.tenants.forTicket(payload.ticketId);
    await tenant.createTable(payload.table);
  }
}

/** `import.batchReceived`: the batch's bytes stream from the blob store into COPY, with its ledger row. */
@Injectable()
@JobProcessor('import.batchReceived')
export class BatchReceivedProcessor implements JobHandler<'import.batchReceived'> {
  constructor(
    private readonly tenants: TenantDatabases,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async handle(payload: JobPayload<'import.batchReceived'>): Promise<void> {
    const tenant = await this.tenants.forTicket(payload.ticketId);
    const table = await tenant.tableSchema(payload.table);
    // Its tableCreated job may simply not have run yet: transient, retried with backoff.
    if (!table) throw new Error(`Table "${payload.table}" is not created in the tenant yet; batch ${payload.sequence} waits.`);
    await loadBatch({
      tenant,
      table,
      sequence: payload.sequence,
      sha256: payload.sha256,
      rows: payload.rows,
      data: await this.blobs.get(payload.blobKey),
    });
  }
}
