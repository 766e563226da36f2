import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { BatchImports } from '../pipeline/batch-imports';
import { PipelineCoreModule } from '../pipeline/pipeline-core.module';
import { ProgressModule } from '../uploads/progress.module';
import { BatchReceivedProcessor, TableCreatedProcessor } from './import-processors';
import { IMPORTS_OPTIONS, TenantDatabases, type ImportsOptions } from './tenant-databases.service';

export interface ImportsModuleOptions {
  imports?: ModuleMetadata['imports'];
  inject?: unknown[];
  /** Tenant server and naming, from the validated config. */
  useFactory(...args: never[]): ImportsOptions;
}

/**
 * The import side of the worker: tenant databases and the processors for
 * `import.tableCreated` and `import.batchReceived` (found by the WorkerService
 * at boot through @JobProcessor). The blob store comes from BlobStoreModule.
 */
@Module({})
export class ImportsModule {
  static register(options: ImportsModuleOptions): DynamicModule {
    const inject = (options.inject ?? []) as never[];
    return {
      module: ImportsModule,
      imports: [PipelineCoreModule, ProgressModule, ...(options.imports ?? [])],
      providers: [
        { provide: IMPORTS_OPTIONS, useFactory: options.useFactory, inject },
        TenantDatabases,
        BatchImports,
        TableCreatedProcessor,
        BatchReceivedProcessor,
      ],
      exports: [TenantDatabases],
    };
  }
}
