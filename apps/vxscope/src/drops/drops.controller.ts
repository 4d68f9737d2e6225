import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { DropsService, type DropsReport } from './drops.service';

@ApiTags('drops')
@Controller('api')
export class DropsController {
  constructor(private readonly service: DropsService) {}

  @Get('drops')
  @ApiOkResponse({
    description:
      'Kernel drop reasons (skb:kfree_skb, machine-wide): {enabled: true, reasons: {REASON: count}, since, lost, instance, filter?}, or {enabled: false, why} without tracefs',
  })
  drops(): DropsReport {
    return this.service.report();
  }
}
