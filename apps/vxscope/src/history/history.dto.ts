import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsOptional, IsString, isISO8601, Matches, MaxLength, Min } from 'class-validator';

import type { FdbChange } from '../events/events';
import { FdbDto } from '../topology/topology.dto';
import { HISTORY_KINDS, type HistoryKind, type HistoryRow } from './history.types';
import { OptionalLimitQuery, OptionalVniQuery } from '../common/query.decorators';

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const MAC_MESSAGE = 'mac must look like aa:bb:cc:dd:ee:ff';
const lower = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

/**
 * `since`/`until` as epoch milliseconds or an ISO 8601 time. Anything else is left as it came, so
 * that `@IsInt` rejects it with a message naming the field.
 */
const toEpochMs = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') {
    return value;
  }
  if (/^\d{1,15}$/.test(value)) {
    return Number(value);
  }
  return isISO8601(value, { strict: true }) ? Date.parse(value) : value;
};

const timeMessage = (field: string): string => `${field} must be an ISO 8601 time or epoch milliseconds`;

export class EventsQueryDto {
  @ApiPropertyOptional({ enum: HISTORY_KINDS })
  @IsOptional()
  @IsIn(HISTORY_KINDS)
  kind?: HistoryKind;

  @ApiPropertyOptional({ example: 'aa:bb:cc:dd:ee:ff' })
  @IsOptional()
  @Transform(lower)
  @Matches(MAC, { message: MAC_MESSAGE })
  mac?: string;

  @OptionalVniQuery()
  vni?: number;

  @ApiPropertyOptional({ description: 'Watched namespace' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  netns?: string;

  @ApiPropertyOptional({ description: 'Destination VTEP of an FDB entry, or remote/group of a vxlan device' })
  @IsOptional()
  @IsIP()
  vtep?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time or epoch ms; inclusive', example: '2025-01-01T00:00:00Z' })
  @IsOptional()
  @Transform(toEpochMs)
  @IsInt({ message: timeMessage('since') })
  @Min(0, { message: timeMessage('since') })
  since?: number;

  @ApiPropertyOptional({ description: 'ISO 8601 time or epoch ms; inclusive' })
  @IsOptional()
  @Transform(toEpochMs)
  @IsInt({ message: timeMessage('until') })
  @Min(0, { message: timeMessage('until') })
  until?: number;

  @OptionalLimitQuery(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page: rows older than that one' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  cursor?: number;
}

export class MacParams {
  @ApiProperty({ example: 'aa:bb:cc:dd:ee:ff' })
  @Transform(lower)
  @Matches(MAC, { message: MAC_MESSAGE })
  mac!: string;
}

export class FdbHistoryQueryDto {
  @ApiPropertyOptional({ description: 'Watched namespace' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  netns?: string;

  @OptionalLimitQuery(100)
  limit?: number;
}

export class HistoryEventDto {
  @ApiProperty({ description: 'Row id; ids only grow' }) id!: number;
  @ApiProperty({ description: 'When the daemon heard of the change (ISO time)' }) at!: string;
  @ApiProperty({ description: 'The same, epoch ms' }) ts!: number;
  @ApiProperty({ enum: HISTORY_KINDS }) kind!: HistoryKind;
  @ApiProperty() netns!: string;
  @ApiProperty({ description: 'added, updated or removed; raised or cleared (flap); the detection kind (detection)' })
  change!: string;
  @ApiPropertyOptional() mac?: string;
  @ApiPropertyOptional() vni?: number;
  @ApiPropertyOptional({ description: 'Destination VTEP, or remote/group of a vxlan device' }) vtep?: string;
  @ApiPropertyOptional() device?: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The whole change: { entry, previous? } (fdb, neigh), { link }, { route, previous? }, the flap, or the detection',
  })
  data!: Record<string, unknown>;
}

export class EventsPageDto {
  @ApiProperty({ type: [HistoryEventDto], description: 'Newest first' }) items!: HistoryEventDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next (older) page; absent on the last page' })
  nextCursor?: number;
}

/** An FDB entry as `/api/fdb` shows it, without the ageing times of the live table. */
export class FdbEntryViewDto extends OmitType(FdbDto, ['since', 'updatedAt'] as const) {}

/** What an FDB row of the history holds. */
export interface FdbPayload {
  readonly entry: FdbEntryViewDto;
  readonly previous?: FdbEntryViewDto;
}

export class FdbHistoryItemDto {
  @ApiProperty() id!: number;
  @ApiProperty({ description: 'ISO time' }) at!: string;
  @ApiProperty() netns!: string;
  @ApiProperty({ enum: ['added', 'updated', 'removed'] }) change!: FdbChange;
  @ApiProperty() device!: string;
  @ApiPropertyOptional() vni?: number;
  @ApiPropertyOptional({ description: 'Destination VTEP after the change (of the entry removed, for removed)' })
  vtep?: string;
  @ApiPropertyOptional({ description: 'Destination VTEP before the change (updated only)' }) previousVtep?: string;
  @ApiProperty({ description: 'An update that changed the destination VTEP' }) moved!: boolean;
  @ApiProperty({ type: FdbEntryViewDto }) entry!: FdbEntryViewDto;
  @ApiPropertyOptional({ type: FdbEntryViewDto }) previous?: FdbEntryViewDto;
}

export function toFdbEntryView(dto: FdbDto): FdbEntryViewDto {
  const { since: _since, updatedAt: _updated, ...view } = dto;
  return view;
}

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function toHistoryEventDto(row: HistoryRow): HistoryEventDto {
  return {
    id: row.id,
    at: new Date(row.ts).toISOString(),
    ts: row.ts,
    kind: row.kind,
    netns: row.netns,
    change: row.change,
    mac: orUndefined(row.mac),
    vni: orUndefined(row.vni),
    vtep: orUndefined(row.vtep),
    device: orUndefined(row.device),
    data: JSON.parse(row.payload) as Record<string, unknown>,
  };
}

export function toFdbHistoryItemDto(row: HistoryRow): FdbHistoryItemDto {
  const { entry, previous } = JSON.parse(row.payload) as FdbPayload;
  return {
    id: row.id,
    at: new Date(row.ts).toISOString(),
    netns: row.netns,
    change: row.change as FdbChange,
    device: entry.device,
    vni: entry.vni,
    vtep: entry.dst,
    previousVtep: previous?.dst,
    moved: previous !== undefined && previous.dst !== entry.dst,
    entry,
    previous,
  };
}
