import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { DetectionDto, DetectionQueryDto } from './detect.dto';
import { DetectService } from './detect.service';

@ApiTags('detect')
@Controller('api')
export class DetectController {
  constructor(private readonly detect: DetectService) {}

  @Get('detections')
  @ApiOkResponse({ type: [DetectionDto], description: 'Wire checks against the kernel: counts per kind, VNI and VTEP, most recent first' })
  detections(@Query() query: DetectionQueryDto): DetectionDto[] {
    return this.detect.list(query);
  }
}
