import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsIP, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

import type { LinkInfo } from '../netlink/netlink.types';
import type { FdbRecord, NetnsState } from './netns-state';

export class FdbQueryDto {
  @ApiPropertyOptional({ example: 'aa:bb:cc:dd:ee:ff' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @Matches(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, { message: 'mac must look like aa:bb:cc:dd:ee:ff' })
  mac?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 16777215 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(16777215)
  vni?: number;

  @ApiPropertyOptional({ description: 'Destination VTEP address' })
  @IsOptional()
  @IsIP()
  vtep?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  netns?: string;

  @ApiPropertyOptional({ description: 'Device name, e.g. vxlan0' })
  @IsOptional()
  @IsString()
  device?: string;
}

export class NetnsQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  netns?: string;
}

export class FdbDto {
  @ApiProperty() netns!: string;
  @ApiProperty() mac!: string;
  @ApiProperty() device!: string;
  @ApiProperty() ifindex!: number;
  @ApiPropertyOptional({ description: 'Bridge the device is enslaved to, for master entries' }) master?: string;
  @ApiPropertyOptional() vlan?: number;
  @ApiPropertyOptional({ description: 'Entry VNI, or the device VNI when the entry has none' }) vni?: number;
  @ApiPropertyOptional({ description: 'Destination VTEP' }) dst?: string;
  @ApiPropertyOptional() port?: number;
  @ApiProperty({ type: [String] }) flags!: string[];
  @ApiProperty({ type: [String] }) state!: string[];
  @ApiProperty({ enum: ['static', 'learned'] }) type!: 'static' | 'learned';
  @ApiProperty() since!: string;
  @ApiProperty() updatedAt!: string;
}

export class VxlanLinkDto {
  @ApiProperty() netns!: string;
  @ApiProperty() name!: string;
  @ApiProperty() ifindex!: number;
  @ApiPropertyOptional() vni?: number;
  @ApiPropertyOptional() local?: string;
  @ApiPropertyOptional() remote?: string;
  @ApiPropertyOptional() group?: string;
  @ApiPropertyOptional() dstport?: number;
  @ApiPropertyOptional({ description: 'Underlay device (IFLA_VXLAN_LINK)' }) underlay?: string;
  @ApiPropertyOptional() learning?: boolean;
  @ApiPropertyOptional() mtu?: number;
  @ApiProperty({ description: 'Administratively up (IFF_UP)' }) up!: boolean;
  @ApiProperty() operstate!: string;
  @ApiPropertyOptional({ description: 'Bridge it is enslaved to' }) master?: string;
  @ApiPropertyOptional() mac?: string;
}

export class BridgeDto {
  @ApiProperty() netns!: string;
  @ApiProperty() name!: string;
  @ApiProperty() ifindex!: number;
  @ApiPropertyOptional() mtu?: number;
  @ApiProperty() up!: boolean;
  @ApiProperty() operstate!: string;
  @ApiProperty({ type: [String] }) ports!: string[];
}

export class LinksDto {
  @ApiProperty({ type: [VxlanLinkDto] }) vxlan!: VxlanLinkDto[];
  @ApiProperty({ type: [BridgeDto] }) bridges!: BridgeDto[];
}

/** One link of any kind, as pushed on the live feed. */
export type LinkDto =
  | ({ kind: 'vxlan' } & VxlanLinkDto)
  | ({ kind: 'bridge' } & BridgeDto)
  | { kind: string; netns: string; name: string; ifindex: number; mtu?: number; up: boolean; operstate: string };

const iso = (ms: number): string => new Date(ms).toISOString();

export function toFdbDto(s: NetnsState, rec: FdbRecord): FdbDto {
  const e = rec.entry;
  const dev = s.links.get(e.ifindex);
  return {
    netns: s.netns,
    mac: e.mac,
    device: dev?.name ?? `if${e.ifindex}`,
    ifindex: e.ifindex,
    master: s.linkName(e.master),
    vlan: e.vlan,
    vni: e.vni ?? dev?.vxlan?.vni,
    dst: e.dst,
    port: e.port,
    flags: [...e.flags],
    state: [...e.state],
    type: e.isStatic ? 'static' : 'learned',
    since: iso(rec.since),
    updatedAt: iso(rec.updatedAt),
  };
}

export function toVxlanLinkDto(s: NetnsState, l: LinkInfo): VxlanLinkDto {
  const v = l.vxlan!;
  return {
    netns: s.netns,
    name: l.name,
    ifindex: l.ifindex,
    vni: v.vni,
    local: v.local,
    remote: v.remote,
    group: v.group,
    dstport: v.dstport,
    underlay: s.linkName(v.underlayIfindex),
    learning: v.learning,
    mtu: l.mtu,
    up: l.adminUp,
    operstate: l.operstate,
    master: s.linkName(l.master),
    mac: l.mac,
  };
}

export function toBridgeDto(s: NetnsState, l: LinkInfo): BridgeDto {
  const ports = [...s.links.values()].filter((p) => p.master === l.ifindex).map((p) => p.name).sort();
  return { netns: s.netns, name: l.name, ifindex: l.ifindex, mtu: l.mtu, up: l.adminUp, operstate: l.operstate, ports };
}
