import { Module } from '@nestjs/common';

import { DropsController } from './drops.controller';
import { DropsService } from './drops.service';
import { TracefsSource } from './tracefs.source';

@Module({
  controllers: [DropsController],
  providers: [DropsService, TracefsSource],
  exports: [DropsService],
})
export class DropsModule {}
