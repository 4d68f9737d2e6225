import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { CaptureInterfaceDto, VniDto, VniQueryDto } from './capture.dto';
import { CaptureService } from './capture.service';

@ApiTags('capture')
@Controller('api')
export class CaptureController {
  constructor(private readonly capture: CaptureService) {}

  @Get('vnis')
  @ApiOkResponse({ type: [VniDto] })
  vnis(@Query() query: VniQueryDto): VniDto[] {
    return this.capture.vnis(query);
  }

  @Get('capture/interfaces')
  @ApiOkResponse({ type: [CaptureInterfaceDto] })
  interfaces(): CaptureInterfaceDto[] {
    return this.capture.captureInterfaces();
  }
}
