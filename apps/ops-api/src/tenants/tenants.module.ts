import { Module } from '@nestjs/common';
import { TenantServer } from './tenant-server.service';

@Module({ providers: [TenantServer], exports: [TenantServer] })
export class TenantsModule {}
