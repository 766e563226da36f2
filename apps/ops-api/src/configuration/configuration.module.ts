import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { TenantDatabasesModule } from '../tenants/tenant-databases.module';
import { TicketStateModule } from '../ticket-state/ticket-state.module';
import { ConfigureTicketProcessor } from './configure-ticket.processor';

/** The worker's `configure` queue: user plans, usernames, stored document names, tenant running. */
@Module({
  imports: [LedgerModule, TicketStateModule, TenantDatabasesModule],
  providers: [ConfigureTicketProcessor],
})
export class ConfigurationModule {}
