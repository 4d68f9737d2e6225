import { Module } from '@nestjs/common';

import { MutationGuard } from '../auth/mutation.guard';
import { CollectorModule } from '../collector/collector.module';
import { EventsModule } from '../events/events.module';
import { CommandRunner } from './command.runner';
import { LabRecordSource } from './lab-record.source';
import { LabController } from './lab.controller';
import { LabService } from './lab.service';

@Module({
  imports: [EventsModule, CollectorModule],
  controllers: [LabController],
  providers: [LabService, LabRecordSource, CommandRunner, MutationGuard],
})
export class LabModule {}
