import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';

import { CaptureService } from '../capture/capture.service';
import { CaptureInterfaceDto } from '../capture/capture.dto';
import { CollectorService } from '../collector/collector.service';

class CollectorHealthDto {
  @ApiProperty() netns!: string;
  @ApiProperty({ enum: ['starting', 'running', 'exited'] }) state!: string;
  @ApiProperty({ required: false }) pid?: number;
  @ApiProperty() restarts!: number;
  @ApiProperty({ required: false }) lastError?: string;
}

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty() uptimeSeconds!: number;
  @ApiProperty({ type: [CollectorHealthDto] }) collectors!: CollectorHealthDto[];
  @ApiProperty({ type: [CaptureInterfaceDto] }) capture!: CaptureInterfaceDto[];
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly collectors: CollectorService,
    private readonly capture: CaptureService,
  ) {}

  /** "ok" when every collector runs and every planned capture is open; "degraded" otherwise (still HTTP 200). */
  @Get('healthz')
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    const collectors = this.collectors.status();
    const capture = this.capture.captureInterfaces();
    const ok = collectors.every((c) => c.state === 'running') && capture.every((c) => c.error === undefined);
    return { status: ok ? 'ok' : 'degraded', uptimeSeconds: Math.round(process.uptime()), collectors, capture };
  }
}
