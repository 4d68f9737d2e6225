import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { DetectController } from './detect.controller';
import { DetectService } from './detect.service';

@Module({
  imports: [EventsModule],
  controllers: [DetectController],
  providers: [DetectService],
  exports: [DetectService],
})
export class DetectModule {}
