import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIP, IsOptional, IsString, Matches } from 'class-validator';

import type { LinkInfo } from '../netlink/netlink.types';
import type { FdbFlap, FdbFlapCleared } from './flap-detector';
import type { FdbRecord, NeighRecord, NetnsState, RouteRecord } from './netns-state';
import { OptionalVniQuery } from '../common/query.decorators';

const lowerCase = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

export class FdbQueryDto {
  @ApiPropertyOptional({ example: 'aa:bb:cc:dd:ee:ff' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @Matches(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, { message: 'mac must look like aa:bb:cc:dd:ee:ff' })
  mac?: string;

  @OptionalVniQuery()
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
  const ports = [...s.links.values()]
    .filter((p) => p.master === l.ifindex)
    .map((p) => p.name)
    .sort();
  return { netns: s.netns, name: l.name, ifindex: l.ifindex, mtu: l.mtu, up: l.adminUp, operstate: l.operstate, ports };
}

export class NeighborQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  netns?: string;

  @ApiPropertyOptional({ example: '10.11.0.2', description: 'IPv4 or IPv6 address' })
  @IsOptional()
  @IsIP()
  ip?: string;

  @ApiPropertyOptional({ example: 'aa:bb:cc:dd:ee:ff' })
  @IsOptional()
  @Transform(lowerCase)
  @Matches(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, { message: 'mac must look like aa:bb:cc:dd:ee:ff' })
  mac?: string;
}

/** An IPv4 ARP or IPv6 ND neighbour, as `ip neigh show` lists it. */
export class NeighborDto {
  @ApiProperty() netns!: string;
  @ApiProperty() ip!: string;
  @ApiProperty({ enum: [4, 6] }) family!: 4 | 6;
  @ApiProperty() device!: string;
  @ApiProperty() ifindex!: number;
  @ApiPropertyOptional({ description: 'Link-layer address; absent while incomplete or failed' }) mac?: string;
  @ApiProperty({
    type: [String],
    description: 'NUD states: reachable, stale, delay, probe, failed, incomplete, noarp, permanent',
  })
  state!: string[];
  @ApiProperty({ type: [String] }) flags!: string[];
  @ApiProperty({ enum: ['static', 'dynamic'] }) type!: 'static' | 'dynamic';
  @ApiProperty() since!: string;
  @ApiProperty() updatedAt!: string;
}

/** The route toward one remote VTEP, as `ip route get <vtep> [oif <dev>]` answers. */
export class RouteDto {
  @ApiProperty() netns!: string;
  @ApiProperty({ description: 'Remote VTEP address (an FDB dst, or a vxlan remote or group)' }) vtep!: string;
  @ApiPropertyOptional({
    description: 'Underlay device the lookup was pinned to (the vxlan dev, or the FDB entry via)',
  })
  lookupDevice?: string;
  @ApiPropertyOptional({ description: 'Outgoing device' }) device?: string;
  @ApiPropertyOptional() ifindex?: number;
  @ApiPropertyOptional({ description: 'Next hop; absent when the VTEP is on-link' }) gateway?: string;
  @ApiPropertyOptional({ description: 'Preferred source address' }) prefsrc?: string;
  @ApiPropertyOptional({ description: 'Route type: unicast, local, multicast, blackhole, …' }) type?: string;
  @ApiPropertyOptional() table?: number;
  @ApiPropertyOptional({ description: 'Why there is no route: the errno of the lookup, e.g. ENETUNREACH' })
  error?: string;
  @ApiProperty() since!: string;
  @ApiProperty() updatedAt!: string;
}

export class FlapQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  netns?: string;

  @ApiPropertyOptional({ description: 'true: flapping now; false: cleared; absent: both' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export class FlapTimelineDto {
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'VTEP after the change (before it, for removed)' }) dst!: string;
  @ApiProperty({ enum: ['added', 'moved', 'removed'] }) change!: 'added' | 'moved' | 'removed';
  @ApiPropertyOptional({ description: 'For moved: the VTEP it left' }) from?: string;
}

/** A MAC whose FDB entry moves between VTEPs (or comes and goes) too often. */
export class FlapDto {
  @ApiProperty() netns!: string;
  @ApiProperty() vni!: number;
  @ApiProperty() mac!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ enum: ['moves', 'add-remove'] }) reason!: 'moves' | 'add-remove';
  @ApiProperty({ type: [String] }) vteps!: string[];
  @ApiProperty({ type: [FlapTimelineDto] }) timeline!: FlapTimelineDto[];
  @ApiProperty() raisedAt!: string;
  @ApiProperty() lastChangeAt!: string;
  @ApiPropertyOptional() clearedAt?: string;
}

export function toNeighborDto(s: NetnsState, rec: NeighRecord): NeighborDto {
  const e = rec.entry;
  return {
    netns: s.netns,
    ip: e.ip,
    family: e.family,
    device: s.linkName(e.ifindex) ?? `if${e.ifindex}`,
    ifindex: e.ifindex,
    mac: e.mac,
    state: [...e.state],
    flags: [...e.flags],
    type: e.isStatic ? 'static' : 'dynamic',
    since: iso(rec.since),
    updatedAt: iso(rec.updatedAt),
  };
}

export function toRouteDto(s: NetnsState, rec: RouteRecord): RouteDto {
  const { vtep, oif, route, error } = rec.lookup;
  return {
    netns: s.netns,
    vtep,
    lookupDevice: s.linkName(oif),
    device: route?.ifindex !== undefined ? (s.linkName(route.ifindex) ?? `if${route.ifindex}`) : undefined,
    ifindex: route?.ifindex,
    gateway: route?.gateway,
    prefsrc: route?.prefsrc,
    type: route?.type,
    table: route?.table,
    error,
    since: iso(rec.since),
    updatedAt: iso(rec.updatedAt),
  };
}

export function toFlapDto(flap: FdbFlap | FdbFlapCleared): FlapDto {
  const clearedAt = 'clearedAt' in flap ? flap.clearedAt : undefined;
  return {
    netns: flap.netns,
    vni: flap.vni,
    mac: flap.mac,
    active: clearedAt === undefined,
    reason: flap.reason,
    vteps: [...flap.vteps],
    timeline: flap.timeline.map((e) => ({
      at: iso(e.at),
      dst: e.dst,
      change: e.change,
      ...(e.from !== undefined && { from: e.from }),
    })),
    raisedAt: iso(flap.raisedAt),
    lastChangeAt: iso(flap.lastChangeAt),
    ...(clearedAt !== undefined && { clearedAt: iso(clearedAt) }),
  };
}
