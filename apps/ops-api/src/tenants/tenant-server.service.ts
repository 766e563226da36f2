import { Inject, Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { quoteIdentifier } from './tenant-naming';

/** The tenants' own databases, which live outside Prisma (their schema is dynamic). */
@Injectable()
export class TenantServer {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Wipes a tenant: drops its database, closing whatever is still connected to it. */
  async drop(databaseName: string): Promise<void> {
    const client = new Client({ connectionString: this.config.tenantDatabaseUrl });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(databaseName)} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }

  async exists(databaseName: string): Promise<boolean> {
    const client = new Client({ connectionString: this.config.tenantDatabaseUrl });
    await client.connect();
    try {
      return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName])).rowCount ?? 0) > 0;
    } finally {
      await client.end();
    }
  }
}
