import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';

import {
  CaptureInterfaceDto,
  FlowDto,
  FlowQueryDto,
  MacDto,
  MacQueryDto,
  PacketDto,
  PacketQueryDto,
  VniDto,
  VniQueryDto,
} from './capture.dto';
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

  @Get('flows')
  @ApiOkResponse({ type: [FlowDto], description: 'Inner flows (VNI + 5-tuple) with the most bytes' })
  flows(@Query() query: FlowQueryDto): FlowDto[] {
    return this.capture.flows(query);
  }

  @Get('macs')
  @ApiOkResponse({ type: [MacDto], description: 'Inner source MACs and the VTEP each was last seen behind' })
  macs(@Query() query: MacQueryDto): MacDto[] {
    return this.capture.macs(query);
  }

  @Get('captures/packets')
  @ApiOkResponse({ type: [PacketDto], description: 'Recent frames, decoded layer by layer' })
  packets(@Query() query: PacketQueryDto): PacketDto[] {
    return this.capture.packets(query);
  }

  @Get('captures/export')
  @ApiProduces('application/vnd.tcpdump.pcap')
  @Header('Content-Disposition', 'attachment; filename="vxscope.pcap"')
  export(@Query() query: PacketQueryDto): StreamableFile {
    return new StreamableFile(this.capture.exportPcap(query), { type: 'application/vnd.tcpdump.pcap' });
  }
}
