import { OmtError, type PrincipalView, type Role } from '@omt/contracts';

/** Who is calling, as established by the auth guard from a bearer token or the session cookie. */
export type Principal =
  | { kind: 'apiKey'; role: 'sales'; keyId: string; name: string }
  | { kind: 'user'; role: 'ops' | 'admin'; userId: string; email: string; sessionId: string }
  | { kind: 'agent'; role: 'agent'; ticketId: string; tokenId: string };

/** The actor written to the audit trail: `sales:<key name>`, `ops:<email>`, `agent:<ticket id>`. */
export function actorOf(principal: Principal | 'system'): string {
  if (principal === 'system') return 'system';
  switch (principal.kind) {
    case 'apiKey':
      return `${principal.role}:${principal.name}`;
    case 'user':
      return `${principal.role}:${principal.email}`;
    case 'agent':
      return `agent:${principal.ticketId}`;
  }
}

export function principalView(principal: Principal): PrincipalView {
  return {
    role: principal.role,
    name: principal.kind === 'apiKey' ? principal.name : principal.kind === 'user' ? principal.email : actorOf(principal),
    ticketId: principal.kind === 'agent' ? principal.ticketId : null,
  };
}

/**
 * An agent token opens its own ticket and nothing else; other roles that got
 * past `@Roles(...)` may see every ticket. Call it in every handler that takes
 * a ticket id and admits agents.
 */
export function assertTicketAccess(principal: Principal, ticketId: string): void {
  if (principal.kind === 'agent' && principal.ticketId !== ticketId) {
    throw new OmtError('FORBIDDEN', 'This agent token belongs to another ticket.', [
      { path: 'id', message: 'not the ticket of this agent token' },
    ]);
  }
}

export function hasRole(principal: Principal, roles: readonly Role[]): boolean {
  return roles.includes(principal.role);
}
