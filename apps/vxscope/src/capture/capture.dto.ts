import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIP, IsOptional, IsString, Matches } from 'class-validator';

import type { FlowRow } from './ingest/flow-table';
import type { MacSighting } from './ingest/mac-table';
import { SIZE_BUCKETS } from './ingest/vni-counters';
import { layersOf } from './pcap-export';
import { describeLayer } from './packet-view';
import type { InterfaceTotals, StoredPacket, VniRate, VniStats } from './traffic-store';
import { OptionalLimitQuery, OptionalVniQuery } from '../common/query.decorators';

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const lower = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

export class VniQueryDto {
  @ApiPropertyOptional({ description: 'Only this watched namespace' })
  @IsOptional()
  @IsString()
  netns?: string;

  @OptionalVniQuery()
  vni?: number;
}

export class FlowQueryDto extends VniQueryDto {
  @OptionalLimitQuery(50)
  limit?: number;
}

export class MacQueryDto extends VniQueryDto {
  @ApiPropertyOptional({ example: 'aa:bb:cc:dd:ee:ff' })
  @IsOptional()
  @Transform(lower)
  @Matches(MAC, { message: 'mac must look like aa:bb:cc:dd:ee:ff' })
  mac?: string;
}

export class PacketQueryDto extends MacQueryDto {
  @ApiPropertyOptional({ description: 'Outer or inner IPv4/IPv6 address' })
  @IsOptional()
  @IsIP()
  ip?: string;

  @OptionalLimitQuery(50)
  limit?: number;
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
  @ApiProperty({ description: 'Inner destination MAC kinds' }) inner!: { broadcast: number; multicast: number; unicast: number; arpRequests: number; arpReplies: number };
  @ApiProperty({ description: 'Inner EtherType ("0x0800") → packets' }) innerEthertypes!: Record<string, number>;
  @ApiProperty({ description: 'Inner IP protocol number → packets' }) ipProtocols!: Record<string, number>;
  @ApiProperty({ description: 'Frame sizes: bucket upper bound ("le64" … "gt9018") → packets' }) sizes!: Record<string, number>;
  @ApiProperty({ description: 'RFC 7348 header violations' }) headerViolations!: { noIFlag: number; reservedBits: number };
  @ApiProperty({ type: [VtepPairDto] }) vtepPairs!: VtepPairDto[];
}

export class CaptureInterfaceDto {
  @ApiProperty() netns!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Capture session open now' }) active!: boolean;
  @ApiPropertyOptional() linkType?: string;
  @ApiPropertyOptional() filter?: string;
  @ApiPropertyOptional() snaplen?: number;
  @ApiProperty({ description: 'Frames decoded (after the BPF filter)' }) packets!: number;
  @ApiProperty() vxlanPackets!: number;
  @ApiProperty() gpePackets!: number;
  @ApiProperty() genevePackets!: number;
  @ApiProperty() otherPackets!: number;
  @ApiPropertyOptional({ description: 'libpcap ps_recv of the current session' }) pcapReceived?: number;
  @ApiPropertyOptional({ description: 'libpcap ps_drop of the current session' }) pcapDropped?: number;
  @ApiPropertyOptional() ifDropped?: number;
  @ApiProperty({ description: '"layer/reason" → frames' }) decodeErrors!: Record<string, number>;
  @ApiProperty({ description: 'What bounded tables dropped' }) evictions!: { flows: number; macs: number; pairs: number; vnis: number };
  @ApiPropertyOptional({ description: 'Why capture on this interface is not running' }) error?: string;
}

export class FlowDto {
  @ApiProperty() netns!: string;
  @ApiProperty() interface!: string;
  @ApiProperty() vni!: number;
  @ApiProperty() ipVersion!: number;
  @ApiProperty() protocol!: number;
  @ApiProperty() src!: string;
  @ApiProperty() dst!: string;
  @ApiProperty() srcPort!: number;
  @ApiProperty() dstPort!: number;
  @ApiProperty() packets!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty() firstSeen!: string;
  @ApiProperty() lastSeen!: string;
}

export class MacDto {
  @ApiProperty() netns!: string;
  @ApiProperty() vni!: number;
  @ApiProperty() mac!: string;
  @ApiProperty({ description: 'VTEP (outer source) it was last seen behind' }) vtep!: string;
  @ApiPropertyOptional() previousVtep?: string;
  @ApiProperty() moves!: number;
  @ApiProperty() packets!: number;
  @ApiProperty() firstSeen!: string;
  @ApiProperty() lastSeen!: string;
}

export class PacketLayerDto {
  @ApiProperty() type!: string;
  @ApiProperty() offset!: number;
  @ApiProperty() length!: number;
  @ApiProperty() summary!: string;
}

export class PacketDto {
  @ApiProperty() netns!: string;
  @ApiProperty() interface!: string;
  @ApiProperty() vni!: number;
  @ApiProperty() time!: string;
  @ApiProperty() wirelen!: number;
  @ApiProperty() caplen!: number;
  @ApiProperty({ type: [PacketLayerDto] }) layers!: PacketLayerDto[];
  @ApiProperty({ description: 'Captured bytes, hex' }) hex!: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toVniDto(v: VniStats, rate: VniRate | undefined): VniDto {
  const r = v.report;
  const sizes: Record<string, number> = {};
  r.sizes.forEach((n, i) => (sizes[i < SIZE_BUCKETS.length ? `le${SIZE_BUCKETS[i]}` : `gt${SIZE_BUCKETS[SIZE_BUCKETS.length - 1]}`] = n));
  return {
    netns: v.netns,
    vni: v.vni,
    packets: r.packets,
    bytes: r.bytes,
    firstSeen: iso(r.firstSeen),
    lastSeen: iso(r.lastSeen),
    pps: rate?.pps ?? 0,
    bps: rate?.bps ?? 0,
    inner: { broadcast: r.broadcast, multicast: r.multicast, unicast: r.unicast, arpRequests: r.arpRequests, arpReplies: r.arpReplies },
    innerEthertypes: r.innerEthertypes,
    ipProtocols: r.ipProtocols,
    sizes,
    headerViolations: { noIFlag: r.noIFlag, reservedBits: r.reservedBits },
    vtepPairs: [...v.pairs.values()]
      .sort((a, b) => b.packets - a.packets)
      .map((p) => ({ ...p, firstSeen: iso(p.firstSeen), lastSeen: iso(p.lastSeen) })),
  };
}

export function toCaptureInterfaceDto(t: InterfaceTotals): CaptureInterfaceDto {
  const s = t.stats;
  return {
    netns: t.netns,
    name: t.name,
    active: s !== undefined,
    linkType: s?.linkType,
    filter: s?.filter,
    snaplen: s?.snaplen,
    packets: t.packets,
    vxlanPackets: t.vxlanPackets,
    gpePackets: t.gpePackets,
    genevePackets: t.genevePackets,
    otherPackets: t.otherPackets,
    pcapReceived: s?.pcapReceived,
    pcapDropped: s?.pcapDropped,
    ifDropped: s?.ifDropped,
    decodeErrors: t.decodeErrors,
    evictions: { flows: s?.flowEvictions ?? 0, macs: s?.macEvictions ?? 0, pairs: s?.pairEvictions ?? 0, vnis: t.vniOverflow },
    error: t.error,
  };
}

export function toFlowDto(f: FlowRow & { netns: string; interface: string }): FlowDto {
  return { ...f, firstSeen: iso(f.firstSeen), lastSeen: iso(f.lastSeen) };
}

export function toMacDto(m: MacSighting & { netns: string }): MacDto {
  return { ...m, firstSeen: iso(m.firstSeen), lastSeen: iso(m.lastSeen) };
}

export function toPacketDto(p: StoredPacket): PacketDto {
  return {
    netns: p.netns,
    interface: p.interface,
    vni: p.vni,
    time: iso(p.tsMs),
    wirelen: p.wirelen,
    caplen: p.data.length,
    layers: layersOf(p).map((l) => ({ type: l.type, offset: l.offset, length: l.length, summary: describeLayer(l, p.data) })),
    hex: p.data.toString('hex'),
  };
}
