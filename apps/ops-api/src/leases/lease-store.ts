import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TicketLease } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import { closeRedis, createRedis } from '../redis/redis';

/** Who holds a ticket's lease, as a refused agent is told. */
export interface LeaseHolder {
  leaseId: string;
  host: string;
  pid: number;
  since: string;
  lapsesAt: string;
}

export type TakeOutcome = { taken: true; lease: TicketLease } | { taken: false; holder: LeaseHolder };

/**
 * Takes the lease when it is free (never taken, lapsed, released) or already
 * this id's; `since` survives renewals. Lapsing is the key's own expiry, so
 * a killed agent's lease goes by itself. Answers the holder when refused.
 * KEYS[1] the lease; ARGV: id, host, pid, now (ISO), lifetime in ms.
 */
const TAKE = `
local held = redis.call('HGET', KEYS[1], 'leaseId')
if held and held ~= ARGV[1] then
  local h = redis.call('HMGET', KEYS[1], 'host', 'pid', 'since')
  return {0, held, h[1], h[2], h[3], redis.call('PTTL', KEYS[1])}
end
local since = ARGV[4]
if held then since = redis.call('HGET', KEYS[1], 'since') end
redis.call('HSET', KEYS[1], 'leaseId', ARGV[1], 'host', ARGV[2], 'pid', ARGV[3], 'since', since)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, ARGV[1], ARGV[2], ARGV[3], since, tonumber(ARGV[5])}
`;

/** Deletes the lease only while it is still this id's: a lapsed agent cannot release its successor's. */
const RELEASE = `
if redis.call('HGET', KEYS[1], 'leaseId') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type TakeReply = [0 | 1, string, string, string, string, number];

interface LeaseCommands {
  omtLeaseTake(key: string, id: string, host: string, pid: string, now: string, ttlMs: string): Promise<TakeReply>;
  omtLeaseRelease(key: string, id: string): Promise<number>;
}

/**
 * One agent process per ticket: a Redis hash per ticket under the app's
 * prefix, changed only by the Lua scripts above so that take, renew and
 * release are atomic across every API process.
 */
@Injectable()
export class LeaseStore implements OnModuleDestroy {
  private readonly redis: Redis & LeaseCommands;
  private readonly ttlMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    const redis = createRedis(config, 'lease', 'ticket-leases');
    redis.on('error', (error) => logger.warn({ err: error }, 'ticket leases: Redis error'));
    redis.defineCommand('omtLeaseTake', { numberOfKeys: 1, lua: TAKE });
    redis.defineCommand('omtLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as Redis & LeaseCommands;
    this.ttlMs = Math.round(config.agentLeaseSeconds * 1000);
  }

  /** A new lease (no id), its renewal, or its take-over by the agent that remembers its id. */
  async take(ticketId: string, request: { leaseId?: string; host: string; pid: number }): Promise<TakeOutcome> {
    const id = request.leaseId ?? randomBytes(16).toString('hex');
    const now = new Date();
    const reply = await this.redis.omtLeaseTake(
      this.keyOf(ticketId),
      id,
      request.host,
      String(request.pid),
      now.toISOString(),
      String(this.ttlMs),
    );
    const [taken, leaseId, host, pid, since, remainingMs] = reply;
    const holder = {
      leaseId,
      host,
      pid: Number(pid),
      since,
      lapsesAt: new Date(now.getTime() + Number(remainingMs)).toISOString(),
    };
    if (taken === 0) return { taken: false, holder };
    return { taken: true, lease: { ...holder, leaseSeconds: this.config.agentLeaseSeconds } };
  }

  /** True when this id held the lease (and now nobody does). */
  async release(ticketId: string, leaseId: string): Promise<boolean> {
    return (await this.redis.omtLeaseRelease(this.keyOf(ticketId), leaseId)) === 1;
  }

  /** Ends whoever's lease: the ticket's agent access ended, or a new machine is enrolling. */
  async drop(ticketId: string): Promise<void> {
    await this.redis.del(this.keyOf(ticketId));
  }

  /** The held lease's id, or null when free: one HGET, as cheap as a guard on every document request must be. */
  async heldId(ticketId: string): Promise<string | null> {
    return this.redis.hget(this.keyOf(ticketId), 'leaseId');
  }

  /** The current holder, or null when the lease is free. */
  async holder(ticketId: string): Promise<LeaseHolder | null> {
    const now = Date.now();
    const replies = await this.redis.multi().hgetall(this.keyOf(ticketId)).pttl(this.keyOf(ticketId)).exec();
    const fields = (replies?.[0]?.[1] ?? {}) as Record<string, string>;
    const remainingMs = Number(replies?.[1]?.[1] ?? -2);
    if (!fields.leaseId || remainingMs < 0) return null;
    return {
      leaseId: fields.leaseId,
      host: fields.host ?? '',
      pid: Number(fields.pid),
      since: fields.since ?? '',
      lapsesAt: new Date(now + remainingMs).toISOString(),
    };
  }

  async onModuleDestroy(): Promise<void> {
    await closeRedis(this.redis);
  }

  private keyOf(ticketId: string): string {
    return `${this.config.redisPrefix}:lease:ticket:${ticketId}`;
  }
}
