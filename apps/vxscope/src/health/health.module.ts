import { Module } from '@nestjs/common';

import { CaptureModule } from '../capture/capture.module';
import { CollectorModule } from '../collector/collector.module';
import { HealthController } from './health.controller';

@Module({
  imports: [CollectorModule, CaptureModule],
  controllers: [HealthController],
})
export class HealthModule {}
