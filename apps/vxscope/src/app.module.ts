import { DynamicModule, Module } from '@nestjs/common';

import { CaptureModule } from './capture/capture.module';
import { CollectorModule } from './collector/collector.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DetectModule } from './detect/detect.module';
import { DropsModule } from './drops/drops.module';
import { HealthModule } from './health/health.module';
import { HistoryModule } from './history/history.module';
import { LabModule } from './lab/lab.module';
import { LiveModule } from './live/live.module';
import { TopologyModule } from './topology/topology.module';
import { VtepsModule } from './vteps/vteps.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), CollectorModule, CaptureModule, TopologyModule, LiveModule, HealthModule, DashboardModule, LabModule, HistoryModule, VtepsModule, DetectModule, DropsModule],
    };
  }
}
