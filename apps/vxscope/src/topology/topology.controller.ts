import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { FdbDto, FdbQueryDto, LinksDto, NetnsQueryDto } from './topology.dto';
import { TopologyService } from './topology.service';

@ApiTags('kernel')
@Controller('api')
export class TopologyController {
  constructor(private readonly topology: TopologyService) {}

  @Get('fdb')
  @ApiOkResponse({ type: [FdbDto] })
  fdb(@Query() query: FdbQueryDto): FdbDto[] {
    return this.topology.fdb(query);
  }

  @Get('links')
  @ApiOkResponse({ type: LinksDto })
  links(@Query() query: NetnsQueryDto): LinksDto {
    return this.topology.links(query.netns);
  }
}
