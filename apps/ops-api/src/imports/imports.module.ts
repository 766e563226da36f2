import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { BLOB_STORE, DirectoryBlobStore } from './blob-store';
import { BatchReceivedProcessor, TableCreatedProcessor } from './import-processors';
import { IMPORTS_OPTIONS, TenantDatabases, type ImportsOptions } from './tenant-databases.service';

export interface ImportsModuleOptions {
  imports?: ModuleMetadata['imports'];
  inject?: unknown[];
  /** Tenant server and naming, from the validated config. */
  useFactory(...args: never[]): ImportsOptions;
  /** The blob directory (OMT_BLOB_DIR), from the validated config. */
  blobDir(...args: never[]): string;
}

/**
 * The import side of the worker: tenant databases, the blob store and the
 * processors for `import.tableCreated` and `import.batchReceived` (found by
 * the WorkerService at boot through @JobProcessor). Import it into the
 * worker's module; the API side needs only BLOB_STORE from it.
 */
@Module({})
export class ImportsModule {
  static register(options: ImportsModuleOptions): DynamicModule {
    const inject = (options.inject ?? []) as never[];
    return {
      module: ImportsModule,
      imports: options.imports ?? [],
      providers: [
        { provide: IMPORTS_OPTIONS, useFactory: options.useFactory, inject },
        { provide: BLOB_STORE, useFactory: (...args: never[]) => new DirectoryBlobStore(options.blobDir(...args)), inject },
        TenantDatabases,
        TableCreatedProcessor,
        BatchReceivedProcessor,
      ],
      exports: [BLOB_STORE, TenantDatabases],
    };
  }
}
