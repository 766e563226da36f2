import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ProgressRepository } from './progress.repository';
import { ProgressService } from './progress.service';

/** Progress events for ops; needs only the database and the events, so the worker role imports it too. */
@Module({ imports: [EventsModule], providers: [ProgressRepository, ProgressService], exports: [ProgressService] })
export class ProgressModule {}
