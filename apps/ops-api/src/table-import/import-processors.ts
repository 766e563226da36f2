import { Inject, Injectable } from '@nestjs/common';
import { Readable, pipeline } from 'node:stream';
import type { JobPayload, TableSchema } from '@omt/contracts';
import { JobProcessor, type JobHandler } from '../queues/job-handler';
import { BatchImports } from '../ledger/batch-imports';
import { BLOB_STORE, type BlobStore } from '../storage/blob-store';
import { loadBatch } from './batch-loader';
import { PermanentImportError } from '../queues/job-errors';
import { TENANT_DATABASES_OPTIONS, TenantDatabases, type TenantDatabasesOptions } from '../tenants/tenant-databases.service';
import type { TenantDatabase } from '../tenants/tenant-database';
import { createBatchGunzip } from './batch-gzip';
import { batchPartKey } from '../storage/blob-store-keys';

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

/**
 * `import.batchReceived`: the stored gzip is inflated on its way into COPY
 * (with its ledger row); the sha256, rows and bytes of the inflated COPY
 * text are checked against the agent's before COMMIT (the API checked only
 * the gzip as it arrived). Then the upload ledger marks the batch imported, which may
 * start verification.
 */
@Injectable()
@JobProcessor('import.batchReceived')
export class BatchReceivedProcessor implements JobHandler<'import.batchReceived'> {
  constructor(
    private readonly tenants: TenantDatabases,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly imports: BatchImports,
    @Inject(TENANT_DATABASES_OPTIONS) private readonly options: Pick<TenantDatabasesOptions, 'storedTableSchema'> = {},
  ) {}

  async handle(payload: JobPayload<'import.batchReceived'>): Promise<void> {
    const context = `Batch ${payload.sequence} of table "${payload.table}"`;
    const tenant = await this.tenants.forTicket(payload.ticketId);
    const table = (await tenant.tableSchema(payload.table)) ?? (await this.createTable(tenant, payload));
    if (!table)
      throw new Error(`Table "${payload.table}" is not created in the tenant yet; batch ${payload.sequence} waits.`);
    const stored = payload.parts
      ? await storedParts(this.blobs, payload.blobKey, payload.parts, context)
      : await openBlob(this.blobs, payload.blobKey, context);
    await loadBatch({
      tenant,
      table,
      sequence: payload.sequence,
      sha256: payload.sha256,
      rows: payload.rows,
      bytes: payload.bytes,
      data: gunzipped(stored),
    });
    await this.imports.imported(payload.ticketId, payload.table, payload.sequence);
  }

  /**
   * A batch that overtook its table's job (queued later, or its worker died
   * mid-way and the job waits to be found stalled) creates the table itself
   * from the schema the API stored before taking the batch, as that job would
   * (idempotent under the tenant's DDL lock): waiting for it instead could
   * spend the batch's retries and fail the ticket over an ordering.
   */
  private async createTable(tenant: TenantDatabase, payload: JobPayload<'import.batchReceived'>): Promise<TableSchema | null> {
    const schema = (await this.options.storedTableSchema?.(payload.ticketId, payload.table)) ?? null;
    if (schema) await tenant.createTable(schema);
    return schema;
  }
}

/** A stored blob; a missing one is lost, not late (the API stores a blob before it queues its job). */
async function openBlob(blobs: BlobStore, key: string, context: string): Promise<Readable> {
  return blobs.get(key).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') {
      throw new PermanentImportError('NOT_FOUND', `${context} is missing from the blob store; the agent must send it again.`);
    }
    throw error;
  });
}

/**
 * The parts of a batch sent in parts, in order, as one stream (the slices of
 * one gzip): each part is opened only when the one before is read, so one
 * file is open at a time and nothing is held beyond a read chunk. The first
 * is opened here, so a missing batch fails before a connection is taken.
 */
async function storedParts(blobs: BlobStore, folder: string, parts: number, context: string): Promise<Readable> {
  const first = await openBlob(blobs, batchPartKey(folder, 0), `Part 0 of ${context.charAt(0).toLowerCase()}${context.slice(1)}`);
  let current: Readable = first;
  async function* concatenated(): AsyncGenerator<Buffer> {
    yield* current as AsyncIterable<Buffer>;
    for (let part = 1; part < parts; part++) {
      current = await openBlob(blobs, batchPartKey(folder, part), `Part ${part} of ${context.charAt(0).toLowerCase()}${context.slice(1)}`);
      yield* current as AsyncIterable<Buffer>;
    }
  }
  const whole = Readable.from(concatenated(), { objectMode: false });
  whole.once('close', () => current.destroy());
  return whole;
}

/**
 * The inflated bytes of a stored gzip, inflating only once read (a damaged
 * gzip fails the read that COPY's pipeline makes, never an unwatched
 * stream). Closing the result closes the stored blob, read or not.
 */
function gunzipped(stored: Readable): Readable {
  async function* inflate(): AsyncGenerator<Buffer> {
    const gunzip = createBatchGunzip();
    // An error of either stream ends the loop below with that error.
    pipeline(stored, gunzip, () => undefined);
    yield* gunzip as AsyncIterable<Buffer>;
  }
  const inflated = Readable.from(inflate(), { objectMode: false });
  inflated.once('close', () => stored.destroy());
  return inflated;
}
