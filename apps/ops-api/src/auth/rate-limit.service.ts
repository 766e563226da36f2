import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { OmtError } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { closeRedis, createRedis } from '../redis/redis';

/** Failed attempts allowed per key and window before further attempts are refused. */
export const RATE_LIMITS = {
  /** Guessing one person's password. */
  loginPerEmail: { points: 10, durationSeconds: 15 * 60 },
  /** Trying many emails from one address; looser, as an office shares one. */
  loginPerIp: { points: 50, durationSeconds: 15 * 60 },
  /** Guessing enrollment codes (160 bits: this only keeps the noise down). */
  enrollmentPerIp: { points: 10, durationSeconds: 15 * 60 },
} as const;
export type RateLimitName = keyof typeof RATE_LIMITS;

/** RATE_LIMITED with the seconds until the next attempt, sent as `Retry-After`. */
export class RateLimitedError extends OmtError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many failed attempts; try again in ${retryAfterSeconds} s.`);
  }
}

/**
 * Counts failed logins and enrollments in Redis, so the limit holds across
 * every API process. Only failures count: a migrator who types the code
 * right is never slowed down. If Redis is away, an in-process limiter stands
 * in rather than letting guesses through unlimited.
 */
@Injectable()
export class RateLimitService implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly limiters: Record<RateLimitName, RateLimiterRedis>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = createRedis(config, 'limiter', 'rate-limits');
    this.redis.on('error', () => undefined); // the insurance limiter takes over; health reports Redis
    const limiter = (name: RateLimitName) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.redisPrefix}:rate:${name}`,
        points: RATE_LIMITS[name].points,
        duration: RATE_LIMITS[name].durationSeconds,
        insuranceLimiter: new RateLimiterMemory({
          points: RATE_LIMITS[name].points,
          duration: RATE_LIMITS[name].durationSeconds,
        }),
      });
    this.limiters = {
      loginPerEmail: limiter('loginPerEmail'),
      loginPerIp: limiter('loginPerIp'),
      enrollmentPerIp: limiter('enrollmentPerIp'),
    };
  }

  /**
   * Runs `attempt` unless one of `limits` ([limit, key]) has used up its
   * failures; a thrown error whose code is in `failureCodes` counts against each.
   */
  async attempt<T>(limits: [RateLimitName, string][], failureCodes: string[], attempt: () => Promise<T>): Promise<T> {
    for (const [name, key] of limits) {
      const state = await this.limiters[name].get(key).catch(() => null);
      if (state && state.consumedPoints >= RATE_LIMITS[name].points) {
        throw new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    }
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof OmtError && failureCodes.includes(error.code)) {
        await Promise.all(
          limits.map(([name, key]) =>
            this.limiters[name].consume(key).catch((r: unknown) => (r instanceof RateLimiterRes ? r : null)),
          ),
        );
      }
      throw error;
    }
  }

  onModuleDestroy(): Promise<void> {
    return closeRedis(this.redis);
  }
}
