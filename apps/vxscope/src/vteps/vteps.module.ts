import { Module } from '@nestjs/common';

import { CaptureModule } from '../capture/capture.module';
import { TopologyModule } from '../topology/topology.module';
import { VtepsController } from './vteps.controller';
import { VtepsService } from './vteps.service';

@Module({
  imports: [TopologyModule, CaptureModule],
  controllers: [VtepsController],
  providers: [VtepsService],
})
export class VtepsModule {}
