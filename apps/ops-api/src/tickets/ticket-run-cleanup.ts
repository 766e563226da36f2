import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Job, JobType } from 'bullmq';
import { OmtError } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { BLOB_STORE, type BlobStore } from '../storage/blob-store';
import { deleteWorkingCopies } from '../retention/working-copies';
import { TenantDatabase } from '../tenants/tenant-database';
import { TenantServer } from '../tenants/tenant-server.service';
import { QueuesService } from '../queues/queues.service';

const JOB_STATES: JobType[] = [
  'active',
  'waiting',
  'waiting-children',
  'prioritized',
  'delayed',
  'paused',
  'completed',
  'failed',
];
const PAGE = 1000;

const ownedBy = (job: Job, ticketId: string) => (job.data as { ticketId?: unknown } | undefined)?.ticketId === ticketId;

/**
 * What a ticket's run left outside the operations database: its jobs in
 * every queue and its files. A reset removes them so the next run starts
 * clean — a finished job kept under its id would turn the new run's job of
 * the same id into a no-op.
 */
@Injectable()
export class TicketRunCleanup {
  constructor(
    private readonly queues: QueuesService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly tenantDatabases: TenantServer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Removes every job whose payload names the ticket, whatever its state;
   * refuses (CONFLICT, nothing removed) while one is running, and when one
   * starts running during the removal.
   */
  async removeJobs(ticketId: string): Promise<number> {
    const jobs = (await Promise.all(this.queues.all().map((queue) => this.jobsOf(queue, ticketId)))).flat();
    const running = jobs.filter((entry) => entry.state === 'active').map((entry) => entry.job.id);
    if (running.length > 0) throw stillRunning(running);
    for (const { job } of jobs) {
      await job.remove().catch((error: unknown) => {
        throw stillRunning([job.id], error);
      });
    }
    return jobs.length;
  }

  /**
   * Drops the tenant database and creates it again, empty and prepared. Not
   * left dropped: a worker keeps a connection pool per ticket, and a pool
   * whose database has gone fails every job of the next run; against the
   * new database of the same name it simply reconnects.
   */
  async emptyTenant(databaseName: string): Promise<void> {
    await this.tenantDatabases.drop(databaseName);
    const tenant = await TenantDatabase.open({
      adminUrl: this.config.tenantDatabaseUrl,
      database: databaseName,
      schema: this.config.tenantSchema,
      poolSize: 1,
    });
    await tenant.close();
  }

  /** The ticket's batches and document uploads in the blob store, and its tenant's document archive. */
  async removeFiles(ticketId: string, tenantDatabase: string): Promise<void> {
    await deleteWorkingCopies(this.blobs, ticketId);
    await this.removeTenantArchive(tenantDatabase);
  }

  /** What earlier test runs left in a tenant: its database emptied, its document archive gone. */
  async wipeTenant(tenantDatabase: string): Promise<void> {
    await this.emptyTenant(tenantDatabase);
    await this.removeTenantArchive(tenantDatabase);
  }

  private async removeTenantArchive(tenantDatabase: string): Promise<void> {
    const root = this.config.tenantArchiveDir;
    const archive = path.resolve(root, tenantDatabase);
    // The folder is named after the tenant database; it must be one folder directly inside the archive root.
    if (path.dirname(archive) !== path.resolve(root) || path.basename(archive) !== tenantDatabase) {
      throw new Error(`Invalid tenant archive folder ${JSON.stringify(tenantDatabase)}.`);
    }
    await rm(archive, { recursive: true, force: true });
  }

  private async jobsOf(
    queue: ReturnType<QueuesService['all']>[number],
    ticketId: string,
  ): Promise<{ job: Job; state: JobType }[]> {
    const found: { job: Job; state: JobType }[] = [];
    for (const state of JOB_STATES) {
      for (let start = 0; ; start += PAGE) {
        const page = (await queue.getJobs([state], start, start + PAGE - 1, true)) as (Job | undefined)[];
        for (const job of page) if (job && ownedBy(job, ticketId)) found.push({ job, state });
        if (page.length < PAGE) break;
      }
    }
    return found;
  }
}

function stillRunning(jobIds: (string | undefined)[], cause?: unknown): OmtError {
  const reason = cause instanceof Error ? ` (${cause.message})` : '';
  return new OmtError(
    'CONFLICT',
    `Jobs of this ticket are running (${jobIds.join(', ')})${reason}; reset it again once they have finished.`,
    jobIds.map((id) => ({ path: 'jobs', message: `running: ${id}` })),
  );
}
