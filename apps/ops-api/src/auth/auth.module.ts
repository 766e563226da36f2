import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CredentialsRepository } from './credentials.repository';
import { CredentialsService } from './credentials.service';
import { FirstAdminService } from './first-admin.service';
import { RateLimitService } from './rate-limit.service';

/** Credentials (users, keys, agent tokens) and the principal; global so every feature can put `@Roles(...)` on its handlers. */
@Global()
@Module({
  providers: [CredentialsRepository, AuthService, CredentialsService, AuthGuard],
  exports: [AuthService, CredentialsService, AuthGuard],
})
export class CredentialsModule {}

/** The HTTP side: login, logout, me, rate limits, and the first admin (api processes only). */
@Module({ controllers: [AuthController], providers: [FirstAdminService, RateLimitService], exports: [RateLimitService] })
export class AuthModule {}
