import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { LoggerModule } from './common/logger.module';
import { PrismaModule } from './prisma/prisma.module';
import { QueuesModule } from './queues/queues.module';
import { WorkersModule } from './worker/worker.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { CredentialsModule, AuthModule } from './auth/auth.module';
import { TicketsModule } from './tickets/tickets.module';
import { BlobStoreModule } from './storage/blob-store.module';
import { UploadsModule } from './uploads/uploads.module';
import { DocumentsApiModule, DocumentsWorkerModule } from './documents/documents.module';
import { TableImportModule } from './table-import/table-import.module';
import { VerificationModule } from './verification/verification.module';
import { ConfigurationModule } from './configuration/configuration.module';
import { QueueHealthModule } from './queue-health/queue-health.module';
import { RetentionWorkerModule } from './retention/retention.module';

export interface ProcessRoles {
  /** HTTP + socket.io. */
  api: boolean;
  /** BullMQ queue processors. */
  worker: boolean;
}

/** One code base, two roles: the api, the worker, or both in one process for development. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, roles: ProcessRoles): DynamicModule {
    const shared = [
      ConfigModule.forRoot(config),
      LoggerModule.forRoot(logger),
      PrismaModule,
      CredentialsModule,
      QueuesModule,
      EventsModule,
      BlobStoreModule,
    ];
    const api = roles.api
      ? [HealthModule, AuthModule, TicketsModule, UploadsModule, QueueHealthModule, DocumentsApiModule]
      : [];
    const worker = roles.worker
      ? [
          WorkersModule,
          TableImportModule,
          DocumentsWorkerModule,
          VerificationModule,
          ConfigurationModule,
          RetentionWorkerModule,
        ]
      : [];
    return { module: AppModule, imports: [...shared, ...api, ...worker] };
  }
}
