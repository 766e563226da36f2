import { Body, Controller, Get, HttpCode, Inject, Ip, Post, Res, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { errorEnvelopeSchema, loginRequestSchema, parseOrThrow, principalViewSchema, type PrincipalView } from '@omt/contracts';
import { openApiSchema } from '../common/openapi';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { AuthService } from './auth.service';
import { principalView, type Principal } from './principal';
import { RateLimitService, type RateLimitName } from './rate-limit.service';
import { RetryAfterInterceptor } from './retry-after.interceptor';
import { CurrentPrincipal, Roles } from './roles.decorator';
import { SESSION_COOKIE, sessionCookieOptions } from './session-cookie';

const envelope = openApiSchema(errorEnvelopeSchema);

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly rateLimits: RateLimitService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @UseInterceptors(RetryAfterInterceptor)
  @ApiOperation({ summary: 'Ops/admin login: sets the httpOnly session cookie.' })
  @ApiBody({ schema: openApiSchema(loginRequestSchema) })
  @ApiResponse({ status: 200, description: 'Logged in; `Set-Cookie: omt_session=…`.', schema: openApiSchema(principalViewSchema) })
  @ApiResponse({ status: 400, description: 'Malformed body.', schema: envelope })
  @ApiResponse({ status: 401, description: 'LOGIN_FAILED: email or password wrong.', schema: envelope })
  @ApiResponse({ status: 429, description: 'RATE_LIMITED, with Retry-After.', schema: envelope })
  async login(@Body() body: unknown, @Ip() ip: string, @Res({ passthrough: true }) response: Response): Promise<PrincipalView> {
    const request = parseOrThrow(loginRequestSchema, body, 'login');
    const limits: [RateLimitName, string][] = [
      ['loginPerIp', ip],
      ['loginPerEmail', request.email.toLowerCase()],
    ];
    const session = await this.rateLimits.attempt(limits, ['LOGIN_FAILED'], () => this.auth.login(request));
    response.cookie(SESSION_COOKIE, session.token, sessionCookieOptions(this.config.env === 'production', session.expiresAt));
    return principalView(session.principal);
  }

  @Post('logout')
  @HttpCode(204)
  @Roles('ops', 'admin')
  @ApiOperation({ summary: 'Ends the session and clears its cookie.' })
  @ApiResponse({ status: 204, description: 'Logged out.' })
  async logout(@CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.auth.logout(principal);
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.config.env === 'production'));
  }

  @Get('me')
  @Roles('sales', 'ops', 'admin', 'agent')
  @ApiOperation({ summary: 'Who the caller is: role, name, and for an agent its ticket.' })
  @ApiResponse({ status: 200, description: 'The caller.', schema: openApiSchema(principalViewSchema) })
  me(@CurrentPrincipal() principal: Principal): PrincipalView {
    return principalView(principal);
  }
}
