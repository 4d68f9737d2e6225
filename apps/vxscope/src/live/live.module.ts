import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { TopologyModule } from '../topology/topology.module';
import { LiveGateway } from './live.gateway';

@Module({
  imports: [EventsModule, TopologyModule],
  providers: [LiveGateway],
})
export class LiveModule {}
