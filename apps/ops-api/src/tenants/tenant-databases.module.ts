import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LedgerModule } from '../ledger/ledger.module';
import { LedgerRepository } from '../ledger/ledger.repository';
import { TENANT_DATABASES_OPTIONS, TenantDatabases, type TenantDatabasesOptions } from './tenant-databases.service';

/**
 * The worker's connections to the tenants' databases, named after each
 * ticket's tenant (one shared instance for the import, verify and configure
 * processors).
 */
@Module({
  imports: [LedgerModule],
  providers: [
    {
      provide: TENANT_DATABASES_OPTIONS,
      inject: [APP_CONFIG, LedgerRepository],
      useFactory: (config: AppConfig, ledger: LedgerRepository): TenantDatabasesOptions => ({
        tenantAdminUrl: config.tenantDatabaseUrl,
        tenantDatabaseName: (ticketId: string) => ledger.tenantDatabaseName(ticketId),
        storedTableSchema: (ticketId: string, table: string) => ledger.tableSchema(ticketId, table),
        tenantSchema: config.tenantSchema,
      }),
    },
    TenantDatabases,
  ],
  exports: [TenantDatabases, TENANT_DATABASES_OPTIONS],
})
export class TenantDatabasesModule {}
