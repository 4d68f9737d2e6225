import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';

import { EventsPageDto, EventsQueryDto, FdbHistoryItemDto, FdbHistoryQueryDto, MacParams } from './history.dto';
import { HistoryService } from './history.service';

@ApiTags('history')
@ApiServiceUnavailableResponse({ description: 'The history database could not be opened' })
@Controller('api')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('events')
  @ApiOperation({
    summary:
      'Recorded FDB, link, neighbour and route changes, FDB flaps and wire detections, newest first, a page at a time',
  })
  @ApiOkResponse({ type: EventsPageDto })
  events(@Query() query: EventsQueryDto): EventsPageDto {
    return this.history.events(query);
  }

  @Get('fdb/:mac/history')
  @ApiOperation({
    summary: "One MAC's FDB timeline, newest first: added, updated (moved from one VTEP to another), removed",
  })
  @ApiOkResponse({ type: [FdbHistoryItemDto] })
  fdbHistory(@Param() params: MacParams, @Query() query: FdbHistoryQueryDto): FdbHistoryItemDto[] {
    return this.history.fdbHistory(params.mac, query);
  }
}
