import { Controller, Get, Header, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';

const PUBLIC_DIR = path.join(__dirname, 'public');

/** The dashboard's assets: a fixed list, all shipped with the daemon (no CDN). */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  'dashboard.js': { file: path.join(PUBLIC_DIR, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: path.join(PUBLIC_DIR, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  'chart.umd.js': { file: path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'), type: 'text/javascript; charset=utf-8' },
};

@ApiExcludeController()
@Controller()
export class DashboardController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  index(): StreamableFile {
    return new StreamableFile(createReadStream(path.join(PUBLIC_DIR, 'index.html')));
  }

  @Get('assets/:name')
  asset(@Param('name') name: string): StreamableFile {
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) {
      throw new NotFoundException(`no asset ${name}`);
    }
    return new StreamableFile(createReadStream(asset.file), { type: asset.type });
  }
}
