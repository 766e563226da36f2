import { Module } from '@nestjs/common';
import { EventsService } from './events.gateway';
import { AgentGateway, OpsGateway } from './socket-gateways';

@Module({ providers: [OpsGateway, AgentGateway, EventsService], exports: [EventsService] })
export class EventsModule {}
