import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

import type { VniRate, VniStats } from './vni-stats';

export class VniQueryDto {
  @ApiPropertyOptional({ description: 'Only this watched namespace' })
  @IsOptional()
  @IsString()
  netns?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 16777215 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(16777215)
  vni?: number;
}

export class VtepPairDto {
  @ApiProperty() src!: string;
  @ApiProperty() dst!: string;
  @ApiProperty() dstPort!: number;
  @ApiProperty() packets!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty({ description: 'ISO time' }) firstSeen!: string;
  @ApiProperty({ description: 'ISO time' }) lastSeen!: string;
}

export class VniDto {
  @ApiProperty() netns!: string;
  @ApiProperty() vni!: number;
  @ApiProperty() packets!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty() firstSeen!: string;
  @ApiProperty() lastSeen!: string;
  @ApiProperty({ description: 'Packets per second over the last second' }) pps!: number;
  @ApiProperty({ description: 'Bits per second over the last second' }) bps!: number;
  @ApiProperty({ type: [VtepPairDto] }) vtepPairs!: VtepPairDto[];
}

export class CaptureInterfaceDto {
  @ApiProperty() netns!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional() linkType?: string;
  @ApiPropertyOptional() filter?: string;
  @ApiPropertyOptional() packets?: number;
  @ApiPropertyOptional() vxlanPackets?: number;
  @ApiPropertyOptional() pcapReceived?: number;
  @ApiPropertyOptional() pcapDropped?: number;
  @ApiPropertyOptional() ifDropped?: number;
  @ApiPropertyOptional() decodeErrors?: Readonly<Record<string, number>>;
  @ApiPropertyOptional({ description: 'Why capture on this interface is not running' }) error?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toVniDto(v: VniStats, rate: VniRate | undefined): VniDto {
  return {
    netns: v.netns,
    vni: v.vni,
    packets: v.packets,
    bytes: v.bytes,
    firstSeen: iso(v.firstSeen),
    lastSeen: iso(v.lastSeen),
    pps: rate?.pps ?? 0,
    bps: rate?.bps ?? 0,
    vtepPairs: [...v.pairs.values()]
      .sort((a, b) => b.packets - a.packets)
      .map((p) => ({ ...p, firstSeen: iso(p.firstSeen), lastSeen: iso(p.lastSeen) })),
  };
}
