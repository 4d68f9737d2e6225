import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { CollectorService } from './collector.service';
import { ProcessSource } from './process.source';

@Module({
  imports: [EventsModule],
  providers: [CollectorService, ProcessSource],
  exports: [CollectorService],
})
export class CollectorModule {}
