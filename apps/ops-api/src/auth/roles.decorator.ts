import { SetMetadata, UseGuards, applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { OmtError, errorEnvelopeSchema, type Role } from '@omt/contracts';
import { ApiCredentials, openApiSchema } from './openapi';
import { AuthGuard, REUSES_AGENT_AUTH_KEY, ROLES_KEY, type AuthenticatedRequest } from './auth.guard';
import type { Principal } from './principal';

/**
 * Who may call a handler (or every handler of a controller). Applies the
 * guard and documents the credentials and the 401/403 answers in OpenAPI.
 */
export function Roles(...roles: Role[]): MethodDecorator & ClassDecorator {
  const envelope = openApiSchema(errorEnvelopeSchema);
  const sessionNote =
    roles.includes('ops') || roles.includes('admin')
      ? ' With the session cookie, a change from another origin is CROSS_ORIGIN_REFUSED (403) and a body that is not JSON UNSUPPORTED_MEDIA_TYPE (415).'
      : '';
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(AuthGuard),
    ApiCredentials(roles),
    ApiResponse({ status: 401, description: 'No valid credentials.', schema: envelope }),
    ApiResponse({ status: 403, description: `Allowed for: ${roles.join(', ')}.${sessionNote}`, schema: envelope }),
  );
}

/**
 * For routes an agent calls many times a second (the document upload): an
 * agent token checked within AGENT_TOKEN_REUSE_MS is not looked up again,
 * so a revoked one is refused there up to that much later (everywhere
 * else at once). Only with `@Roles(...)`.
 */
export function ReusesAgentAuth(): MethodDecorator & ClassDecorator {
  return SetMetadata(REUSES_AGENT_AUTH_KEY, true);
}

/** The caller established by `@Roles(...)`; use with `assertTicketAccess` for ticket-scoped handlers. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new OmtError('INTERNAL', 'CurrentPrincipal used on a handler without @Roles(...).');
  return principal;
});
