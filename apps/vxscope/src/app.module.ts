import { DynamicModule, Module } from '@nestjs/common';

import { CaptureModule } from './capture/capture.module';
import { CollectorModule } from './collector/collector.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthModule } from './health/health.module';
import { LabModule } from './lab/lab.module';
import { LiveModule } from './live/live.module';
import { TopologyModule } from './topology/topology.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), CollectorModule, CaptureModule, TopologyModule, LiveModule, HealthModule, DashboardModule, LabModule],
    };
  }
}
