import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { TopologyModule } from '../topology/topology.module';
import { Clock } from './clock';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';
import { HistorySource } from './history.source';

@Module({
  imports: [EventsModule, TopologyModule],
  controllers: [HistoryController],
  providers: [HistoryService, HistorySource, Clock],
})
export class HistoryModule {}
