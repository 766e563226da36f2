import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { BLOB_STORE, DirectoryBlobStore } from './blob-store';

/**
 * The blob store both roles share: the API writes what arrives, the worker
 * reads it back. A directory (OMT_BLOB_DIR) today; an S3-compatible store
 * would be another BlobStore provided here.
 */
@Global()
@Module({
  providers: [
    { provide: BLOB_STORE, useFactory: (config: AppConfig) => new DirectoryBlobStore(config.blobDir), inject: [APP_CONFIG] },
  ],
  exports: [BLOB_STORE],
})
export class BlobStoreModule {}
