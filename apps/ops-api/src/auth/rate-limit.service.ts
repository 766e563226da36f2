import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { OmtError, type ErrorCode } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { closeRedis, createRedis } from '../redis/redis';

const WINDOW_SECONDS = 15 * 60;

/**
 * Failures counted per key within the window. A counter that reaches its
 * points locks its key until the window ends, except `loginPerAccount`,
 * whose count only delays the next attempts (ACCOUNT_SLOWDOWN).
 */
export const RATE_LIMITS = {
  /** Guessing one person's password from one client: that client is locked out of that account, nobody else. */
  loginPerAccountAndIp: { points: 10, durationSeconds: WINDOW_SECONDS },
  /** Trying many accounts from one client; looser, as an office shares one address. */
  loginPerIp: { points: 50, durationSeconds: WINDOW_SECONDS },
  /**
   * One account guessed from many clients. Locking it would lock its owner
   * out (the old behaviour: ten wrong passwords from anywhere did), so this
   * only slows every attempt on it down.
   */
  loginPerAccount: { points: Number.MAX_SAFE_INTEGER, durationSeconds: WINDOW_SECONDS },
  /** Bad enrollment codes from one client (160-bit codes: this only keeps the noise down). */
  enrollmentPerIp: { points: 10, durationSeconds: WINDOW_SECONDS },
} as const;
export type RateLimitName = keyof typeof RATE_LIMITS;

/** The delay before an attempt on an account with failures: a person mistyping a few times never waits. */
export const ACCOUNT_SLOWDOWN = { freeFailures: 5, firstDelayMs: 250, maxDelayMs: 4000 } as const;

/** Milliseconds to wait before an attempt on an account that has had `failures` recently: 250 ms doubling to 4 s. */
export function slowDownMs(failures: number): number {
  const over = failures - ACCOUNT_SLOWDOWN.freeFailures;
  if (over <= 0) return 0;
  return Math.min(ACCOUNT_SLOWDOWN.maxDelayMs, ACCOUNT_SLOWDOWN.firstDelayMs * 2 ** (over - 1));
}

/** RATE_LIMITED with the seconds until the next attempt, sent as `Retry-After`. */
export class RateLimitedError extends OmtError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many failed attempts from here; try again in ${retryAfterSeconds} s.`);
  }
}

interface Policy {
  /** Counters that lock their key once full. */
  locks: [RateLimitName, string][];
  /** A counter whose failures only delay the attempt. */
  slowDown?: [RateLimitName, string];
  /** The error codes that count as a failure. */
  failureCodes: ErrorCode[];
  /**
   * A locked key still gets its attempt checked, and a success goes through:
   * for secrets nobody can guess (enrollment codes), so a migrator behind an
   * address someone else filled with bad codes is not turned away.
   */
  lockedMayPass?: boolean;
}

/**
 * Counts failed logins and enrollments in Redis, so the limits hold across
 * every API process. Only failures count: whoever gets it right is never
 * refused for having tried (except a client locked out of one account). If
 * Redis is away, an in-process limiter stands in rather than letting
 * guesses through unlimited.
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
      loginPerAccountAndIp: limiter('loginPerAccountAndIp'),
      loginPerIp: limiter('loginPerIp'),
      loginPerAccount: limiter('loginPerAccount'),
      enrollmentPerIp: limiter('enrollmentPerIp'),
    };
  }

  /** A login of `email` (lower case) from `ip`. */
  login<T>(email: string, ip: string, attempt: () => Promise<T>): Promise<T> {
    return this.attempt(
      {
        locks: [
          ['loginPerAccountAndIp', `${email} ${ip}`],
          ['loginPerIp', ip],
        ],
        slowDown: ['loginPerAccount', email],
        failureCodes: ['LOGIN_FAILED'],
      },
      attempt,
    );
  }

  /** An enrollment from `ip`: bad codes count against the address, a good code always passes. */
  enrollment<T>(ip: string, attempt: () => Promise<T>): Promise<T> {
    return this.attempt(
      { locks: [['enrollmentPerIp', ip]], failureCodes: ['ENROLLMENT_CODE_INVALID'], lockedMayPass: true },
      attempt,
    );
  }

  onModuleDestroy(): Promise<void> {
    return closeRedis(this.redis);
  }

  private async attempt<T>(policy: Policy, attempt: () => Promise<T>): Promise<T> {
    const locked = await this.lockedFor(policy.locks);
    if (locked !== null && !policy.lockedMayPass) throw new RateLimitedError(locked);
    if (policy.slowDown) {
      const [name, key] = policy.slowDown;
      const state = await this.limiters[name].get(key).catch(() => null);
      // Before the check, for every attempt: a delay only on failures would tell a fast answer for the right password.
      const delay = slowDownMs(state?.consumedPoints ?? 0);
      if (delay > 0) await sleep(delay);
    }
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof OmtError && policy.failureCodes.includes(error.code))) throw error;
      const counters = policy.slowDown ? [...policy.locks, policy.slowDown] : policy.locks;
      await Promise.all(
        counters.map(([name, key]) =>
          this.limiters[name].consume(key).catch((r: unknown) => (r instanceof RateLimiterRes ? r : null)),
        ),
      );
      // A locked client learns nothing more from a failure than from the lock.
      throw locked !== null ? new RateLimitedError(locked) : error;
    }
  }

  /** Seconds until the first full counter of `locks` empties, or null if none is full. */
  private async lockedFor(locks: [RateLimitName, string][]): Promise<number | null> {
    for (const [name, key] of locks) {
      const state = await this.limiters[name].get(key).catch(() => null);
      if (state && state.consumedPoints >= RATE_LIMITS[name].points) {
        return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      }
    }
    return null;
  }
}
