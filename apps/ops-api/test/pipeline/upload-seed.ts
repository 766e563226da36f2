import { gzipSync } from 'node:zlib';
import { TableDigest } from '@omt/copy-text';
import { createHash } from 'node:crypto';
import type { MigrationKind, MigrationPlan, MigrationState, PlanUser, TableSchema } from '@omt/contracts';
import type { SampleUser } from '../../../agent/src/sample/sample-users';
import { PostgresSource } from '../../../agent/src/source/postgres-source';
import { tableSchemaOf } from '../../../agent/src/source/table-schema';
import { batchText } from '../../../agent/src/source/source-connector';
import { PrismaService } from '../../src/prisma/prisma.service';
import { QueuesService } from '../../src/queues/queues.service';
import { BLOB_STORE, type BlobStore } from '../../src/storage/blob-store';
import { VerificationTrigger } from '../../src/ledger/verification-trigger';
import { TicketStateService } from '../../src/ticket-state/ticket-state.service';
import { batchBlobKey } from '../../src/uploads/upload-keys';
import { batchJobId, tableJobId } from '../../src/queues/job-ids';
import type { TestApi } from '../support/test-api';
import type { Credential } from '../support/auth-helpers';
import { eventually } from '../../../../test/support/eventually';

/**
 * What the API stores and queues while an agent uploads (A ticket's ledger
 * rows, the gzipped batches in the blob store, the import jobs), done
 * directly so the worker side can be tested on its own with a real source.
 */
export interface SeededBatch {
  table: string;
  sequence: number;
  blobKey: string;
  /** The gzip as the API stored it. */
  stored: Buffer;
  jobId: string;
}

export function services(api: TestApi) {
  const get = <T>(token: unknown) => api.context.get(token as never, { strict: false }) as T;
  return {
    prisma: get<PrismaService>(PrismaService),
    queues: get<QueuesService>(QueuesService),
    blobs: get<BlobStore>(BLOB_STORE),
    states: get<TicketStateService>(TicketStateService),
    trigger: get<VerificationTrigger>(VerificationTrigger),
  };
}

/** A ticket of that kind, enrolled, with its plan, ready to upload. */
export async function uploadingTicket(api: TestApi, sales: Credential, kind: MigrationKind, plan: MigrationPlan): Promise<string> {
  const created = await api.createTicket(sales, { kind });
  const id = created.ticket.id;
  await api.enroll(created.enrollmentCode);
  const { prisma, states } = services(api);
  await states.transition(id, 'ready', 'system', 'checks passed (test)');
  await prisma.ticket.update({ where: { id }, data: { plan, uploadStartedAt: new Date() } });
  await states.transition(id, 'uploading', `agent:${id}`, null);
  return id;
}

/**
 * Streams every table of the source as the agent would (schema, batches,
 * figures) into the ledgers and the blob store. `storedAs` may replace what
 * lands in the blob store for a batch (to damage it). With `complete`, the
 * upload is then completed (ticket `importing`) before the jobs are queued,
 * as when the workers lag behind the agent.
 */
export async function seedUpload(
  api: TestApi,
  source: PostgresSource,
  ticketId: string,
  options: { complete: boolean; maxRows?: number; storedAs?: (batch: SeededBatch) => Buffer },
): Promise<{ tables: TableSchema[]; batches: SeededBatch[] }> {
  const { prisma, blobs } = services(api);
  const tables = (await source.introspect()).map(tableSchemaOf);
  await prisma.tableUpload.createMany({
    data: await Promise.all(
      tables.map(async (t, position) => ({ ticketId, name: t.name, position, expectedRows: BigInt(await source.countRows(t.name)), schema: t })),
    ),
  });
  const batches: SeededBatch[] = [];
  for (const table of tables) {
    const digest = new TableDigest();
    let count = 0;
    for await (const batch of source.streamTable(table, { maxRows: options.maxRows ?? 40, maxBytes: 1 << 20 })) {
      digest.update(batchText(batch));
      const seeded: SeededBatch = {
        table: table.name,
        sequence: batch.sequence,
        blobKey: batchBlobKey(ticketId, table.name, batch.sequence),
        stored: gzipSync(batchText(batch)),
        jobId: batchJobId(ticketId, table.name, batch.sequence),
      };
      await blobs.put(seeded.blobKey, options.storedAs?.(seeded) ?? seeded.stored);
      await prisma.batchUpload.create({
        data: {
          ticketId,
          tableName: table.name,
          sequence: batch.sequence,
          sha256: createHash('sha256').update(batchText(batch)).digest('hex'),
          rows: batch.rows,
          bytes: batchText(batch).length,
          storedBytes: seeded.stored.length,
          blobKey: seeded.blobKey,
        },
      });
      batches.push(seeded);
      count++;
    }
    const figures = digest.digest();
    await prisma.tableUpload.update({
      where: { ticketId_name: { ticketId, name: table.name } },
      data: { sourceBatches: count, sourceRows: BigInt(figures.rows), sourceHash: figures.hash, completedAt: new Date() },
    });
  }
  if (options.complete) await completeUpload(api, ticketId);
  await queueImports(api, ticketId, tables, batches);
  return { tables, batches };
}

/** The jobs the API queues for the tables and batches it stored. */
export async function queueImports(api: TestApi, ticketId: string, tables: TableSchema[], batches: SeededBatch[]): Promise<void> {
  const { prisma, queues } = services(api);
  for (const table of tables) await queues.enqueue('import.tableCreated', { ticketId, table }, { jobId: tableJobId(ticketId, table.name) });
  for (const b of batches) {
    const row = await prisma.batchUpload.findUniqueOrThrow({
      where: { ticketId_tableName_sequence: { ticketId, tableName: b.table, sequence: b.sequence } },
    });
    await queues.enqueue(
      'import.batchReceived',
      { ticketId, table: b.table, sequence: b.sequence, blobKey: b.blobKey, sha256: row.sha256, rows: row.rows, bytes: row.bytes },
      { jobId: b.jobId },
    );
  }
}

/** What `upload/complete` does: the ticket to `importing`, the run marked complete, verification checked. */
export async function completeUpload(api: TestApi, ticketId: string): Promise<void> {
  const { prisma, states, trigger } = services(api);
  await states.transition(ticketId, 'importing', `agent:${ticketId}`, 'upload complete');
  await prisma.ticket.update({ where: { id: ticketId }, data: { uploadCompletedAt: new Date() } });
  await trigger.checkTicket(ticketId);
}

/** Polls the operations database until the ticket is in one of `states`. */
export async function ticketReaches(api: TestApi, ticketId: string, states: MigrationState[], timeoutMs = 90_000): Promise<MigrationState> {
  const { prisma } = services(api);
  const read = async () => (await prisma.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { state: true } })).state as MigrationState;
  return eventually(read, { what: `ticket ${ticketId} to reach ${states.join(' or ')}`, until: (state) => states.includes(state), timeoutMs, intervalMs: 100 });
}

/** Polls until every batch of the ticket is marked imported. */
export async function batchesImported(api: TestApi, ticketId: string, timeoutMs = 90_000): Promise<void> {
  const { prisma } = services(api);
  const left = () => prisma.batchUpload.count({ where: { ticketId, importedAt: null } });
  await eventually(left, { what: `every batch of ticket ${ticketId} imported (the count is of those left)`, until: (n) => n === 0, timeoutMs, intervalMs: 100 });
}

/**
 * The plan: everyone keeps their plan except KY (no plan: cannot log in) and
 * OP (moves from Service to Sales Premium). JD logs in with their own
 * address, which MG's card also holds (in upper case: the sample's
 * duplicate-emails problem), so MG's row goes; MG types a new address.
 */
export function samplePlan(users: readonly SampleUser[]): MigrationPlan {
  const planUsers: PlanUser[] = users
    .filter((u) => u.type === 0 && !u.retired && u.emails.length > 0)
    .map((u) => {
      const plan = u.login === 'KY' ? null : u.login === 'OP' ? 'ten-sales' : u.plan;
      const loginEmail = u.login === 'MG' ? 'marketing.lead@nordlys.example' : u.emails[0]!;
      return { associateId: u.associateId, login: u.login, plan, loginEmail: plan === null ? null : loginEmail };
    });
  return {
    formatVersion: 1,
    users: planUsers,
    migrator: { name: 'Mia Migrator', email: 'mia@partner.example', phone: '+47 22 33 44 55' },
    sendWelcomeEmails: false,
  };
}
