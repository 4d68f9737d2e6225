import { Controller, HttpCode, Inject, Post, Req, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';

import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { OfflineReader, type ReadResult } from './offline-reader';

@ApiTags('capture')
@Controller('api/captures')
export class CapturesController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Analyses an uploaded pcap or pcapng file (the raw file as the request body, e.g.
   * `curl --data-binary @x.pcap -H 'Content-Type: application/octet-stream'`) with the same decoder
   * and aggregation as live capture, streaming it: the file is never held in memory whole.
   */
  @Post()
  @HttpCode(200)
  @ApiConsumes('application/octet-stream', 'application/vnd.tcpdump.pcap')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ description: 'The same report as `vxscope read --json`' })
  async upload(@Req() req: Request): Promise<ReadResult> {
    // Express's JSON and form parsers would already have consumed such a body.
    if (req.is(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'])) {
      throw new UnsupportedMediaTypeException('send the capture file itself as the body, with Content-Type: application/octet-stream');
    }
    const reader = new OfflineReader(this.config.ports);
    await reader.read('upload', req, this.config.uploadLimitBytes);
    return reader.result();
  }
}
