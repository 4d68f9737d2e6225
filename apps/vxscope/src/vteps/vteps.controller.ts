import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { VtepDto, VtepQueryDto } from './vteps.dto';
import { VtepsService } from './vteps.service';

@ApiTags('kernel')
@Controller('api/vteps')
export class VtepsController {
  constructor(private readonly vteps: VtepsService) {}

  @Get()
  @ApiOkResponse({
    type: [VtepDto],
    description: 'Each remote VTEP: FDB entries pointing to it, traffic to and from it, last heard, route',
  })
  list(@Query() query: VtepQueryDto): VtepDto[] {
    return this.vteps.list(query);
  }
}
