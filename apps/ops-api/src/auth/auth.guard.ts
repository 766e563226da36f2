import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { OmtError, type Role } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { AuthService } from './auth.service';
import { assertJsonChange, assertSameOrigin } from './cross-site';
import { hasRole, type Principal } from './principal';
import { SESSION_COOKIE } from './session-cookie';

/** Metadata key of `@Roles(...)`. */
export const ROLES_KEY = 'omt:roles';

/** Metadata key of `@ReusesAgentAuth()`. */
export const REUSES_AGENT_AUTH_KEY = 'omt:reusesAgentAuth';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Establishes the principal (bearer token first, then the session cookie)
 * and checks it against the handler's `@Roles(...)`. Ticket scoping of agent
 * tokens is the handler's job: `assertTicketAccess`. A change made with the
 * cookie must come from the dashboard's origin with a JSON body; bearer
 * tokens and API keys are not sent by browsers on their own, so they need
 * no such check.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reuseAgent = this.reflector.getAllAndOverride<boolean | undefined>(REUSES_AGENT_AUTH_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const principal = await this.authenticate(request, reuseAgent === true);
    if (roles && !hasRole(principal, roles)) {
      throw new OmtError('FORBIDDEN', `This needs the role ${roles.join(' or ')}; you are ${principal.role}.`);
    }
    if (!request.headers.authorization) assertJsonChange(request); // a cookie change carries JSON (cross-site.ts)
    request.principal = principal;
    return true;
  }

  private async authenticate(request: AuthenticatedRequest, reuseAgent: boolean): Promise<Principal> {
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new OmtError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
      return this.auth.authenticateBearer(match[1]!, { reuseAgent });
    }
    const session = (request.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (session) {
      assertSameOrigin(request, this.config.dashboardOrigins); // before the lookup: a forged request costs no query
      return this.auth.authenticateSession(session);
    }
    throw new OmtError(
      'UNAUTHENTICATED',
      'Log in, or send an API key or agent token as "Authorization: Bearer <token>".',
    );
  }
}
