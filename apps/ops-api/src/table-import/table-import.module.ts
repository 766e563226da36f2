import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { TenantDatabasesModule } from '../tenants/tenant-databases.module';
import { BatchReceivedProcessor, TableCreatedProcessor } from './import-processors';

/**
 * The worker's table import: the processors for `import.tableCreated` and
 * `import.batchReceived` (found by the WorkerService at boot through
 * @JobProcessor). The blob store comes from BlobStoreModule.
 */
@Module({
  imports: [LedgerModule, TenantDatabasesModule],
  providers: [TableCreatedProcessor, BatchReceivedProcessor],
})
export class TableImportModule {}
