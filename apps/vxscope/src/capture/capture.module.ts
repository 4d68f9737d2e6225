import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { CaptureController } from './capture.controller';
import { CapturesController } from './captures.controller';
import { CaptureService } from './capture.service';

@Module({
  imports: [EventsModule],
  controllers: [CaptureController, CapturesController],
  providers: [CaptureService],
  exports: [CaptureService],
})
export class CaptureModule {}
