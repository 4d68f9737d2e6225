import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';

import { DETECTION_KINDS, type DetectionKind, type DetectionReason } from './detect.types';
import type { DetectionRecord } from './detection-store';
import { OptionalVniQuery } from '../common/query.decorators';

export class DetectionQueryDto {
  @ApiPropertyOptional({ description: 'Only this watched namespace' })
  @IsOptional()
  @IsString()
  netns?: string;

  @ApiPropertyOptional({ enum: DETECTION_KINDS })
  @IsOptional()
  @IsIn(DETECTION_KINDS)
  kind?: DetectionKind;

  @OptionalVniQuery()
  vni?: number;
}

export class DetectionExampleDto {
  @ApiProperty({ description: 'ISO time of the last occurrence with this detail' }) at!: string;
  @ApiProperty() detail!: string;
}

export class DetectionDto {
  @ApiProperty() netns!: string;
  @ApiProperty({ enum: DETECTION_KINDS }) kind!: DetectionKind;
  @ApiProperty({ description: 'The finer cause, e.g. stale-entry, inner-too-large, no-i-flag' }) reason!: DetectionReason;
  @ApiPropertyOptional() vni?: number;
  @ApiPropertyOptional({ description: 'The remote VTEP: destination of an outbound frame, source of an inbound one' }) vtep?: string;
  @ApiPropertyOptional({ description: 'The inner MAC (misdirected, unknown-unicast)' }) mac?: string;
  @ApiProperty({ description: 'Frames counted since the daemon started' }) count!: number;
  @ApiProperty({ description: 'ISO time' }) firstSeen!: string;
  @ApiProperty({ description: 'ISO time' }) lastSeen!: string;
  @ApiProperty({ description: 'The latest description' }) detail!: string;
  @ApiProperty({ type: [DetectionExampleDto], description: 'The latest distinct descriptions' }) examples!: DetectionExampleDto[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toDetectionDto(r: DetectionRecord): DetectionDto {
  return {
    netns: r.netns,
    kind: r.kind,
    reason: r.reason,
    ...(r.vni !== undefined && { vni: r.vni }),
    ...(r.vtep !== undefined && { vtep: r.vtep }),
    ...(r.mac !== undefined && { mac: r.mac }),
    count: r.count,
    firstSeen: iso(r.firstSeen),
    lastSeen: iso(r.lastSeen),
    detail: r.detail,
    examples: r.examples.map((e) => ({ at: iso(e.at), detail: e.detail })),
  };
}
