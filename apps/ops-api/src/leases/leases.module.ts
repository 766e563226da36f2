import { Module } from '@nestjs/common';
import { LeaseGuard } from './lease.guard';
import { LeaseStore } from './lease-store';

/** Ticket leases: one agent process per ticket (the store for the state service, the guard for the upload routes). */
@Module({ providers: [LeaseStore, LeaseGuard], exports: [LeaseStore, LeaseGuard] })
export class LeasesModule {}
