import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import { EventsService } from '../events/events.gateway';
import { QueueHealthService } from './queue-health.service';

/**
 * Pushes `queues.measured` to the dashboards every few seconds. The next
 * measurement starts only after the previous one settled, so a slow Redis is
 * never asked twice at once; a failed one is logged and the next one tries again.
 */
@Injectable()
export class QueueMeasurer implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly health: QueueHealthService,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.measure().finally(() => this.schedule());
    }, this.config.queueMeasureSeconds * 1000);
    this.timer.unref();
  }

  private async measure(): Promise<void> {
    try {
      const queues = await this.health.counts();
      if (!this.stopped) this.events.toOps('queues.measured', { queues, at: new Date().toISOString() });
    } catch (error) {
      if (!this.stopped) this.logger.warn({ err: error }, 'could not measure the queues');
    }
  }
}
