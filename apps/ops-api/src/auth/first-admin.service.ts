import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { isOmtError } from '@omt/contracts';
import { LOGGER } from '../common/logger.module';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { CredentialsService } from './credentials.service';

/** Creates the admin named by OMT_ADMIN_EMAIL/OMT_ADMIN_PASSWORD on the first start. */
@Injectable()
export class FirstAdminService implements OnApplicationBootstrap {
  constructor(
    private readonly credentials: CredentialsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const admin = await this.credentials.ensureFirstAdmin(this.config.firstAdmin);
      if (admin) this.logger.info({ email: admin.email }, 'created the first admin from OMT_ADMIN_EMAIL');
    } catch (error) {
      // Two API processes starting together: the other one created it.
      if (isOmtError(error) && error.code === 'CONFLICT') return;
      throw error;
    }
  }
}
