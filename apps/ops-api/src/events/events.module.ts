import { Module } from '@nestjs/common';
import { AgentGateway, EventsService, OpsGateway } from './events.gateway';

@Module({ providers: [OpsGateway, AgentGateway, EventsService], exports: [EventsService] })
export class EventsModule {}
