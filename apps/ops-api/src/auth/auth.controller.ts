import { Body, Controller, Get, HttpCode, Inject, Ip, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  errorEnvelopeSchema,
  loginRequestSchema,
  parseOrThrow,
  principalViewSchema,
  type PrincipalView,
} from '@omt/contracts';
import { openApiSchema } from './openapi';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { AuthService } from './auth.service';
import { assertSameOriginJson } from './cross-site';
import { principalView, type Principal } from './principal';
import { RateLimitService } from './rate-limit.service';
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
  @ApiResponse({
    status: 200,
    description: 'Logged in; `Set-Cookie: omt_session=…`.',
    schema: openApiSchema(principalViewSchema),
  })
  @ApiResponse({ status: 400, description: 'Malformed body.', schema: envelope })
  @ApiResponse({ status: 401, description: 'LOGIN_FAILED: email or password wrong.', schema: envelope })
  @ApiResponse({
    status: 403,
    description: 'CROSS_ORIGIN_REFUSED: sent from a page of another origin.',
    schema: envelope,
  })
  @ApiResponse({ status: 415, description: 'UNSUPPORTED_MEDIA_TYPE: the body is not JSON.', schema: envelope })
  @ApiResponse({ status: 429, description: 'RATE_LIMITED, with Retry-After.', schema: envelope })
  async login(
    @Body() body: unknown,
    @Ip() ip: string,
    @Req() httpRequest: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PrincipalView> {
    // Login CSRF: a foreign page must not log the browser in to an account of the attacker's choosing.
    assertSameOriginJson(httpRequest, this.config.dashboardOrigins);
    const request = parseOrThrow(loginRequestSchema, body, 'login');
    const session = await this.rateLimits.login(request.email.toLowerCase(), ip, () => this.auth.login(request));
    response.cookie(SESSION_COOKIE, session.token, sessionCookieOptions(this.secure(httpRequest), session.expiresAt));
    return principalView(session.principal);
  }

  @Post('logout')
  @HttpCode(204)
  @Roles('ops', 'admin')
  @ApiOperation({ summary: 'Ends the session and clears its cookie.' })
  @ApiResponse({ status: 204, description: 'Logged out.' })
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.auth.logout(principal);
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.secure(request)));
  }

  /**
   * Secure whenever the browser speaks HTTPS to us, directly or to a proxy
   * that says so in X-Forwarded-Proto (believed with OMT_TRUST_PROXY); always
   * in production, where plain HTTP is a mistake the cookie must not survive.
   */
  private secure(request: Request): boolean {
    return request.secure || this.config.env === 'production';
  }

  @Get('me')
  @Roles('sales', 'ops', 'admin', 'agent')
  @ApiOperation({ summary: 'Who the caller is: role, name, and for an agent its ticket.' })
  @ApiResponse({ status: 200, description: 'The caller.', schema: openApiSchema(principalViewSchema) })
  me(@CurrentPrincipal() principal: Principal): PrincipalView {
    return principalView(principal);
  }
}
