import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { FlapService } from './flap.service';
import {
  FdbDto,
  FdbQueryDto,
  FlapDto,
  FlapQueryDto,
  LinksDto,
  NeighborDto,
  NeighborQueryDto,
  NetnsQueryDto,
  RouteDto,
} from './topology.dto';
import { TopologyService } from './topology.service';

@ApiTags('kernel')
@Controller('api')
export class TopologyController {
  constructor(
    private readonly topology: TopologyService,
    private readonly flaps: FlapService,
  ) {}

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

  @Get('neighbors')
  @ApiOkResponse({ type: [NeighborDto], description: 'IPv4 ARP and IPv6 ND neighbours, as `ip neigh show`' })
  neighbors(@Query() query: NeighborQueryDto): NeighborDto[] {
    return this.topology.neighbors(query);
  }

  @Get('routes')
  @ApiOkResponse({ type: [RouteDto], description: 'The route toward each remote VTEP, as `ip route get <vtep>`' })
  routes(@Query() query: NetnsQueryDto): RouteDto[] {
    return this.topology.routes(query.netns);
  }

  @Get('flaps')
  @ApiOkResponse({
    type: [FlapDto],
    description: 'MACs whose FDB entry moves between VTEPs or comes and goes too often; newest first',
  })
  flapList(@Query() query: FlapQueryDto): FlapDto[] {
    return this.flaps.list(query);
  }
}
