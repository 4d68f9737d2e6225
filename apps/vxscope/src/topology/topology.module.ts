import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { FlapService } from './flap.service';
import { TopologyController } from './topology.controller';
import { TopologyService } from './topology.service';

@Module({
  imports: [EventsModule],
  controllers: [TopologyController],
  providers: [TopologyService, FlapService],
  exports: [TopologyService, FlapService],
})
export class TopologyModule {}
