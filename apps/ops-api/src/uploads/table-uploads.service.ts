import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import {
  OmtError,
  type BatchCommit,
  type BatchLimits,
  type BatchPartReceipt,
  type BatchReceipt,
  type TableComplete,
  type TableSchema,
} from '@omt/contracts';
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
import { batchBlobKey, batchPartBlobKey, batchPartsKey } from './upload-keys';
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
  /** Index of the batch's first row (`x-omt-first-row`); null from agents older than it. */
  firstRow: number | null;
}

/** One part of a batch sent in parts, as its path and header say. */
export interface BatchPartClaim {
  table: string;
  sequence: number;
  part: number;
  /** Of the part as sent. */
  gzipSha256: string;
}

/** Missing parts named in a refused commit's message, at most. */
const MISSING_PARTS_NAMED = 20;

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
    const limits = await this.tableWithSchema(ticketId, claim.table);
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

    const { table: tableName, sequence, sha256, rows, bytes, firstRow } = claim;
    const record = { table: tableName, sequence, sha256, rows, bytes, storedBytes: received.storedBytes, blobKey: key, parts: 0, firstRow };
    return this.record(ticketId, record, () => this.blobs.delete(key));
  }

  /**
   * Stores one part of a batch sent in parts, checked against its sha256 as
   * it arrives. A part sent again replaces the one held (a retry after a lost
   * answer is harmless); once the batch is committed parts are answered
   * `duplicate` and not stored, so the blobs the worker reads never change.
   */
  async receivePart(ticketId: string, claim: BatchPartClaim, body: Readable): Promise<BatchPartReceipt> {
    await this.tableWithSchema(ticketId, claim.table);
    const receipt = { table: claim.table, sequence: claim.sequence, part: claim.part };
    if (await this.uploads.findBatch(ticketId, claim.table, claim.sequence)) {
      body.resume();
      return { ...receipt, status: 'duplicate' };
    }
    const key = batchPartBlobKey(ticketId, claim.table, claim.sequence, claim.part);
    const received = await receiveBatch(body, this.blobs, key, this.config.maxBatchBytes, { gzipStart: claim.part === 0 });
    if (received.sha256 !== claim.gzipSha256) {
      await this.blobs.delete(key);
      throw new OmtError(
        'CHECKSUM_MISMATCH',
        `Part ${claim.part} of batch ${claim.sequence} of table '${claim.table}' hashes to ${received.sha256}, not ${claim.gzipSha256}: it was damaged on the way; send it again.`,
        [{ path: 'x-omt-gzip-sha256', message: 'does not match the bytes' }],
      );
    }
    await this.uploads.touch(ticketId);
    return { ...receipt, status: 'stored' };
  }

  /**
   * Ends a batch sent in parts: refused (BATCH_PARTS_MISSING) while a part
   * is not held; then recorded and queued like a batch sent whole (one ledger
   * row, one import job), the worker reading the parts in order. The whole
   * batch's sha256, rows and bytes are checked by the worker before COMMIT.
   */
  async commitBatch(ticketId: string, table: string, sequence: number, commit: BatchCommit): Promise<BatchReceipt> {
    await this.tableWithSchema(ticketId, table);
    const context = `Batch ${sequence} of table '${table}'`;
    const sizes: number[] = [];
    const missing: number[] = [];
    for (let part = 0; part < commit.parts; part++) {
      const size = await this.blobs.size(batchPartBlobKey(ticketId, table, sequence, part));
      if (size === null) missing.push(part);
      else sizes.push(size);
    }
    const committed = await this.uploads.findBatch(ticketId, table, sequence);
    if (missing.length > 0 && !committed) {
      const named = missing.slice(0, MISSING_PARTS_NAMED).join(', ') + (missing.length > MISSING_PARTS_NAMED ? ', …' : '');
      throw new OmtError(
        'BATCH_PARTS_MISSING',
        `${context} cannot be committed: ${missing.length} of its ${commit.parts} part(s) have not arrived (${named}); send them, then commit again.`,
        missing.slice(0, MISSING_PARTS_NAMED).map((part) => ({ path: `parts.${part}`, message: 'not received' })),
      );
    }
    const record = {
      table,
      sequence,
      sha256: commit.sha256,
      rows: commit.rows,
      bytes: commit.bytes,
      storedBytes: sizes.reduce((n, size) => n + size, 0),
      blobKey: batchPartsKey(ticketId, table, sequence),
      parts: commit.parts,
      firstRow: commit.firstRow,
    };
    // The parts of a conflicting commit are the committed batch's: nothing is deleted.
    return this.record(ticketId, record, async () => undefined);
  }

  /**
   * Records a stored batch exactly once and queues its import; a batch that
   * arrived before is answered `duplicate` (queued again if not imported yet)
   * or BATCH_CONFLICT if its bytes differ. `discard` drops what this arrival
   * stored when it is not the one recorded.
   */
  private async record(ticketId: string, record: Omit<BatchRecord, 'imported'>, discard: () => Promise<void>): Promise<BatchReceipt> {
    const { table, sequence } = record;
    const context = `Batch ${sequence} of table '${table}'`;
    // Records the ticket's activity too.
    const inserted = await this.uploads.insertBatch(ticketId, record);
    if (inserted.outcome === 'wrong-state') {
      await discard();
      throw wrongState(inserted.state, 'batches are taken only while uploading');
    }
    if (inserted.outcome === 'exists') {
      await discard();
      const existing = inserted.existing;
      if (existing.sha256 !== record.sha256) {
        throw new OmtError(
          'BATCH_CONFLICT',
          `${context} arrived before with sha256 ${existing.sha256}; this one has ${record.sha256}. One sequence number cannot carry two batches.`,
          [{ path: 'sequence', message: 'taken by other bytes' }],
        );
      }
      // The first arrival's enqueue may have failed after its insert: queue again (same id, a no-op if queued).
      if (!existing.imported) await this.enqueueBatch(ticketId, existing);
      await this.uploads.touch(ticketId);
      return { table, sequence, status: 'duplicate' };
    }
    await this.enqueueBatch(ticketId, { ...record, imported: false });
    this.progress.publish(ticketId);
    return { table, sequence, status: 'stored' };
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

  /** The ticket's limits, once checked that it is uploading and the table's schema has arrived. */
  private async tableWithSchema(ticketId: string, name: string): Promise<BatchLimits> {
    const { limits, table } = await this.uploadingTable(ticketId, name);
    if (!table.schema) {
      throw new OmtError('CONFLICT', `Send the schema of table '${name}' (PUT its path) before its batches.`, [
        { path: 'table', message: 'no schema yet' },
      ]);
    }
    return limits;
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
