import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { OmtError, type BatchLimits, type BatchReceipt, type TableComplete, type TableSchema } from '@omt/contracts';
import { assertNoTenantNameCollision, structureProblems } from '@omt/copy-text';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { BLOB_STORE, type BlobStore } from '../storage/blob-store';
import { QueuesService } from '../queues/queues.service';
import { ticketNotFound } from '../ticket-state/ticket-state.service';
import { wrongState } from './agent-session.service';
import { receiveBatch } from './batch-receiver';
import { ProgressService } from '../ledger/progress.service';
import { enqueueBatchJob, enqueueTableJob } from '../queues/import-jobs';
import { batchBlobKey } from './upload-keys';
import { UploadsRepository, type BatchRecord, type TableRecord } from '../ledger/uploads.repository';

/** What the agent claims about a batch in its headers. */
export interface BatchClaim {
  table: string;
  sequence: number;
  /** Of the body as sent: checked here. */
  gzipSha256: string;
  /** Of the COPY text, with its rows and bytes: checked by the worker as it loads the batch. */
  sha256: string;
  rows: number;
  bytes: number;
}

/** Stands for another table's key columns: only whether it has a key matters to its names. */
const KEYED = '(key)';

/** A batch may unpack to at most this many times the ticket's batch byte limit (the agent's own bound, with room for slack). */
const UNCOMPRESSED_FACTOR = 2;

/** One table's upload: its schema, its batches and the source's figures at the end. */
@Injectable()
export class TableUploadsService {
  constructor(
    private readonly uploads: UploadsRepository,
    private readonly queues: QueuesService,
    private readonly progress: ProgressService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores the schema (first time) and queues the tenant table's creation; the same schema again is a no-op. */
  async putSchema(ticketId: string, name: string, schema: TableSchema): Promise<void> {
    if (schema.name !== name) {
      throw new OmtError('VALIDATION_FAILED', `The schema is of table '${schema.name}' but was sent to table '${name}'.`, [
        { path: 'name', message: 'must equal the table in the path' },
      ]);
    }
    // A structure that does not hold together (an index on a column the table lacks) would fail the build after the whole load.
    const problems = structureProblems(schema);
    if (problems.length > 0) {
      throw new OmtError(
        'VALIDATION_FAILED',
        `The structure of table '${name}' does not hold together: ${problems.join('; ')}.`,
        problems.map((message) => ({ path: 'structure', message })),
      );
    }
    await this.uploadingTable(ticketId, name);
    // Before it is stored or queued: a schema whose names PostgreSQL cannot hold apart never reaches the tenant.
    const others = (await this.uploads.announcedNames(ticketId)).filter((t) => t.name !== name);
    assertNoTenantNameCollision([...others.map((t) => ({ name: t.name, primaryKey: t.keyed ? [KEYED] : [] })), schema]);
    await this.uploads.setSchemaIfUnset(ticketId, name, schema);
    const stored = (await this.announcedTable(ticketId, name)).schema;
    if (!isDeepStrictEqual(stored, schema)) {
      throw new OmtError('CONFLICT', `The schema of table '${name}' changed since the first upload; reset the ticket to start over.`, [
        { path: 'columns', message: 'differs from the stored schema' },
      ]);
    }
    // Queued every time: a re-send after a failed enqueue must still create the table; the job id makes it once.
    await enqueueTableJob(this.queues, ticketId, schema);
    await this.uploads.touch(ticketId);
  }

  /**
   * Stores a batch and queues its import, once: the body is checked against
   * its sha256 before anything is recorded (the COPY text inside is checked
   * by the worker), and a batch that arrived before is answered `duplicate`
   * (or 409 if its bytes differ).
   */
  async receiveBatch(ticketId: string, claim: BatchClaim, body: Readable): Promise<BatchReceipt> {
    const { limits, table } = await this.uploadingTable(ticketId, claim.table);
    if (!table.schema) {
      throw new OmtError('CONFLICT', `Send the schema of table '${claim.table}' (PUT its path) before its batches.`, [
        { path: 'table', message: 'no schema yet' },
      ]);
    }
    const maxUncompressed = limits.maxBytes * UNCOMPRESSED_FACTOR;
    if (claim.bytes > maxUncompressed) {
      throw new OmtError('PAYLOAD_TOO_LARGE', `The batch is larger than ${maxUncompressed} bytes uncompressed; send smaller batches.`, [
        { path: 'x-omt-bytes', message: `over ${maxUncompressed} bytes uncompressed` },
      ]);
    }
    const key = batchBlobKey(ticketId, claim.table, claim.sequence);
    const received = await receiveBatch(body, this.blobs, key, this.config.maxBatchBytes);
    const context = `Batch ${claim.sequence} of table '${claim.table}'`;
    const refuse = async (error: OmtError): Promise<never> => {
      await this.blobs.delete(key);
      throw error;
    };
    if (received.sha256 !== claim.gzipSha256) {
      await refuse(
        new OmtError('CHECKSUM_MISMATCH', `${context} hashes to ${received.sha256}, not ${claim.gzipSha256}: it was damaged on the way; send it again.`, [
          { path: 'x-omt-gzip-sha256', message: 'does not match the bytes' },
        ]),
      );
    }

    const { table: tableName, sequence, sha256, rows, bytes } = claim;
    const record = { table: tableName, sequence, sha256, rows, bytes, storedBytes: received.storedBytes, blobKey: key };
    // Records the ticket's activity too.
    const inserted = await this.uploads.insertBatch(ticketId, record);
    if (inserted.outcome === 'wrong-state') return refuse(wrongState(inserted.state, 'batches are taken only while uploading'));
    if (inserted.outcome === 'exists') {
      await this.blobs.delete(key);
      const existing = inserted.existing;
      if (existing.sha256 !== claim.sha256) {
        throw new OmtError(
          'BATCH_CONFLICT',
          `${context} arrived before with sha256 ${existing.sha256}; this one has ${claim.sha256}. One sequence number cannot carry two batches.`,
          [{ path: 'sequence', message: 'taken by other bytes' }],
        );
      }
      // The first arrival's enqueue may have failed after its insert: queue again (same id, a no-op if queued).
      if (!existing.imported) await this.enqueueBatch(ticketId, existing);
      await this.uploads.touch(ticketId);
      return { table: claim.table, sequence: claim.sequence, status: 'duplicate' };
    }
    await this.enqueueBatch(ticketId, { ...record, imported: false });
    this.progress.publish(ticketId);
    return { table: claim.table, sequence: claim.sequence, status: 'stored' };
  }

  /** Stores the source's figures of a table; the same figures again are a no-op, others a conflict. */
  async complete(ticketId: string, name: string, figures: TableComplete, actor: string): Promise<TableComplete> {
    await this.uploadingTable(ticketId, name);
    const stored = await this.uploads.setCompleteIfUnset(ticketId, name, figures, {
      actor,
      reason: `'${name}': ${figures.batches} batch(es), ${figures.rows} row(s), content hash ${figures.hash}`,
    });
    if (!stored) throw new OmtError('INTERNAL', `The figures of table '${name}' were not stored.`);
    if (!isDeepStrictEqual(stored, figures)) {
      throw new OmtError(
        'CONFLICT',
        `Table '${name}' was completed before with ${stored.batches} batch(es), ${stored.rows} row(s) and hash ${stored.hash}; these figures differ.`,
        [{ path: 'hash', message: 'differs from the stored figures' }],
      );
    }
    this.progress.publish(ticketId);
    return stored;
  }

  private enqueueBatch(ticketId: string, batch: BatchRecord): Promise<void> {
    return enqueueBatchJob(this.queues, ticketId, batch);
  }

  /** The ticket, which must be uploading, and its announced table: one query, asked by every table request. */
  private async uploadingTable(ticketId: string, name: string): Promise<{ limits: BatchLimits; table: TableRecord }> {
    const found = await this.uploads.ticketTable(ticketId, name);
    if (!found) throw ticketNotFound(ticketId);
    if (found.state !== 'uploading' || !found.limits) throw wrongState(found.state, 'tables are taken only while uploading (POST /api/agent/upload first)');
    if (!found.table) {
      throw new OmtError('NOT_FOUND', `Table '${name}' was not announced when the upload started (POST /api/agent/upload).`, [
        { path: 'table', message: 'not announced' },
      ]);
    }
    return { limits: found.limits, table: found.table };
  }

  private async announcedTable(ticketId: string, name: string): Promise<TableRecord> {
    const table = await this.uploads.findTable(ticketId, name);
    if (!table) throw new OmtError('INTERNAL', `Table '${name}' vanished from the upload ledger.`);
    return table;
  }
}
