import { Inject, Injectable } from '@nestjs/common';
import type { HealthResponse } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { HealthRepository } from './health.repository';
import { createRedis } from '../redis/redis';

type DependencyHealth = HealthResponse['dependencies']['postgres'];

const PROBE_TIMEOUT_MS = 2000;
const VERSION: string = require('../../package.json').version;

async function probe(check: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: 'down', error: (error as Error).message || String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Asks each dependency for a round trip, with a time limit, and reports what it saw. */
@Injectable()
export class HealthService {
  private readonly started = Date.now();

  constructor(
    private readonly database: HealthRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(): Promise<HealthResponse> {
    const [postgres, redis] = await Promise.all([probe(() => this.database.ping()), probe(() => this.pingRedis())]);
    return {
      status: postgres.status === 'up' && redis.status === 'up' ? 'ok' : 'degraded',
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
      dependencies: { postgres, redis },
    };
  }

  private async pingRedis(): Promise<void> {
    const redis = createRedis(this.config, 'probe', 'health');
    redis.on('error', () => undefined); // reported through the failed ping
    try {
      await redis.connect();
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  }
}
