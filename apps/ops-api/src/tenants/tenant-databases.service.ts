import type { TableSchema } from '@omt/contracts';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { TenantDatabase } from './tenant-database';

/** What the tenant databases need from configuration; TenantDatabasesModule provides it. */
export interface TenantDatabasesOptions {
  /** A role that may CREATE DATABASE on the tenants' server. */
  tenantAdminUrl: string;
  /** The tenant database of a ticket, e.g. `omt_tenant_<tenantId>`. */
  tenantDatabaseName(ticketId: string): string | Promise<string>;
  /** Schema of the customer's tables inside the tenant database (the source schema's name, `crm7`). */
  tenantSchema: string;
  /** Connections per tenant pool in this process. */
  poolSize?: number;
  /**
   * The schema of a ticket's table as the API stored it (it stores it before
   * it takes any batch of the table); null when there is none.
   */
  storedTableSchema?(ticketId: string, table: string): Promise<TableSchema | null>;
}

export const TENANT_DATABASES_OPTIONS = Symbol('TENANT_DATABASES_OPTIONS');

/** One open TenantDatabase per ticket in this process, created on first use. */
@Injectable()
export class TenantDatabases implements OnModuleDestroy {
  private readonly open = new Map<string, Promise<TenantDatabase>>();

  constructor(@Inject(TENANT_DATABASES_OPTIONS) private readonly options: TenantDatabasesOptions) {}

  forTicket(ticketId: string): Promise<TenantDatabase> {
    let tenant = this.open.get(ticketId);
    if (!tenant) {
      tenant = (async () =>
        TenantDatabase.open({
          adminUrl: this.options.tenantAdminUrl,
          database: await this.options.tenantDatabaseName(ticketId),
          schema: this.options.tenantSchema,
          poolSize: this.options.poolSize,
        }))();
      // A failed open (server down) is retried by the next job, not cached.
      tenant.catch(() => this.open.delete(ticketId));
      this.open.set(ticketId, tenant);
    }
    return tenant;
  }

  async onModuleDestroy(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((t) => t.then((db) => db.close(), () => undefined)));
  }
}
