import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { MutationGuard } from '../auth/mutation.guard';
import type { ProbeResult } from './lab-probe';
import { CreateLabDto, FaultDto, FaultIdParams, LabIdParams } from './lab.dto';
import { LabService } from './lab.service';
import type { LabFault, LabRecord } from './lab.types';

@ApiTags('labs')
@Controller('api/labs')
export class LabController {
  constructor(private readonly labs: LabService) {}

  @Get()
  @ApiOkResponse({ description: 'Labs of this daemon' })
  list(): LabRecord[] {
    return this.labs.list();
  }

  @Get('fault-types')
  @ApiOkResponse({ description: 'Every fault type with what it does to the probe' })
  faultTypes(): { type: string; effect: string }[] {
    return this.labs.faultTypes();
  }

  @Get(':id')
  get(@Param() p: LabIdParams): LabRecord {
    return this.labs.get(p.id);
  }

  @Post()
  @UseGuards(MutationGuard)
  @ApiBearerAuth()
  @ApiCreatedResponse({ description: 'The lab, built: namespaces, devices, addresses, MACs, VTEP addresses' })
  create(@Body() dto: CreateLabDto): Promise<LabRecord> {
    return this.labs.create(dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(MutationGuard)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'Removed (or already gone)' })
  delete(@Param() p: LabIdParams): Promise<void> {
    return this.labs.delete(p.id);
  }

  @Post(':id/probe')
  @HttpCode(200)
  @UseGuards(MutationGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'Per pair: sent, received, RTT, ARP; per size: don\'t-fragment pings around the MTU' })
  probe(@Param() p: LabIdParams): Promise<ProbeResult> {
    return this.labs.probe(p.id);
  }

  @Post(':id/faults')
  @UseGuards(MutationGuard)
  @ApiBearerAuth()
  addFault(@Param() p: LabIdParams, @Body() dto: FaultDto): Promise<LabFault> {
    return this.labs.addFault(p.id, dto);
  }

  @Delete(':id/faults/:faultId')
  @HttpCode(204)
  @UseGuards(MutationGuard)
  @ApiBearerAuth()
  removeFault(@Param() p: FaultIdParams): Promise<void> {
    return this.labs.removeFault(p.id, p.faultId);
  }
}
