import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { LoggerModule } from '../common/logger.module';
import { PrismaModule } from '../prisma/prisma.module';
import { CredentialsModule } from '../auth/auth.module';

/** Just what the admin CLI needs: the database and the credential services, no HTTP, no Redis. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return { module: CliModule, imports: [ConfigModule.forRoot(config), LoggerModule.forRoot(logger), PrismaModule, CredentialsModule] };
  }
}
