import { Injectable, UseGuards, applyDecorators, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { LEASE_HEADER } from '@omt/contracts';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { leaseRefusal } from './lease-refusal';
import { LeaseStore } from './lease-store';

/**
 * While an agent holds its ticket's lease, a request of that ticket that
 * does not carry the lease's id (a second agent process) is refused. With
 * no lease held, requests pass: the lease is the agent's promise, not a
 * second credential. Runs after `@Roles(...)` (method guards follow class guards).
 */
@Injectable()
export class LeaseGuard implements CanActivate {
  constructor(private readonly leases: LeaseStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.principal;
    if (principal?.kind !== 'agent') return true;
    const held = await this.leases.heldId(principal.ticketId);
    if (held === null || request.headers[LEASE_HEADER] === held) return true;
    // Refused: only now is the holder read in full, for the message (it may have lapsed meanwhile).
    const holder = await this.leases.holder(principal.ticketId);
    if (holder && request.headers[LEASE_HEADER] !== holder.leaseId) throw leaseRefusal(holder);
    return true;
  }
}

/** On a handler: only the lease holder may call it while the lease is held. */
export function HoldsLease(): MethodDecorator {
  return applyDecorators(
    UseGuards(LeaseGuard),
    // A handler's own 409 answer stays documented; TICKET_LEASED is named here instead of a second 409.
    ApiHeader({
      name: LEASE_HEADER,
      required: false,
      description:
        "The lease id while the agent holds the ticket's lease; without it then, 409 TICKET_LEASED (details: host, pid, since, lapsesAt).",
    }),
  );
}
