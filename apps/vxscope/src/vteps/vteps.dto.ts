import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIP, IsOptional, IsString } from 'class-validator';

import type { VniDto } from '../capture/capture.dto';
import { RouteDto } from '../topology/topology.dto';
import type { RemoteVtep } from '../topology/topology.service';

export class VtepQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  netns?: string;

  @ApiPropertyOptional({ description: 'One VTEP address' })
  @IsOptional()
  @IsIP()
  address?: string;
}

export class VtepFdbDto {
  @ApiProperty() mac!: string;
  @ApiProperty() device!: string;
  @ApiPropertyOptional() vni?: number;
  @ApiProperty({ enum: ['static', 'learned'] }) type!: 'static' | 'learned';
}

export class VtepVniTrafficDto {
  @ApiProperty() vni!: number;
  @ApiProperty({ description: 'Packets with this VTEP as the outer destination' }) packetsTo!: number;
  @ApiProperty() bytesTo!: number;
  @ApiProperty({ description: 'Packets with this VTEP as the outer source' }) packetsFrom!: number;
  @ApiProperty() bytesFrom!: number;
}

export class VtepTrafficDto {
  @ApiProperty() packetsTo!: number;
  @ApiProperty() bytesTo!: number;
  @ApiProperty() packetsFrom!: number;
  @ApiProperty() bytesFrom!: number;
  @ApiProperty({ type: [VtepVniTrafficDto] }) vnis!: VtepVniTrafficDto[];
}

/** A remote VTEP seen from one namespace: who points to it in the kernel, what crossed the wire, and the route. */
export class VtepDto {
  @ApiProperty() netns!: string;
  @ApiProperty() address!: string;
  @ApiProperty({ type: [String], description: 'vxlan devices with it as their remote or group' }) devices!: string[];
  @ApiProperty({ type: [VtepFdbDto], description: 'FDB entries whose destination it is' }) fdb!: VtepFdbDto[];
  @ApiProperty({ type: VtepTrafficDto, description: 'Captured VXLAN packets to and from it (VTEP pairs)' })
  traffic!: VtepTrafficDto;
  @ApiPropertyOptional({ description: 'ISO time of the last packet captured from it' }) lastHeard?: string;
  @ApiPropertyOptional({ type: RouteDto, description: 'The route toward it' }) route?: RouteDto;
}

/** Joins a VTEP's kernel view with the VTEP pairs captured in the same namespace. */
export function toVtepDto(vtep: RemoteVtep, vnis: readonly VniDto[]): VtepDto {
  const perVni = new Map<number, VtepVniTrafficDto>();
  let lastHeard: number | undefined;
  for (const v of vnis) {
    if (v.netns !== vtep.netns) {
      continue;
    }
    for (const p of v.vtepPairs) {
      const to = p.dst === vtep.address;
      const from = p.src === vtep.address;
      if (!to && !from) {
        continue;
      }
      let row = perVni.get(v.vni);
      if (!row) {
        row = { vni: v.vni, packetsTo: 0, bytesTo: 0, packetsFrom: 0, bytesFrom: 0 };
        perVni.set(v.vni, row);
      }
      if (to) {
        row.packetsTo += p.packets;
        row.bytesTo += p.bytes;
      }
      if (from) {
        row.packetsFrom += p.packets;
        row.bytesFrom += p.bytes;
        lastHeard = Math.max(lastHeard ?? 0, Date.parse(p.lastSeen));
      }
    }
  }
  const rows = [...perVni.values()].sort((a, b) => a.vni - b.vni);
  const sum = (k: keyof Omit<VtepVniTrafficDto, 'vni'>): number => rows.reduce((n, r) => n + r[k], 0);
  return {
    netns: vtep.netns,
    address: vtep.address,
    devices: [...vtep.devices],
    fdb: vtep.fdb.map((e) => ({ mac: e.mac, device: e.device, vni: e.vni, type: e.type })),
    traffic: {
      packetsTo: sum('packetsTo'),
      bytesTo: sum('bytesTo'),
      packetsFrom: sum('packetsFrom'),
      bytesFrom: sum('bytesFrom'),
      vnis: rows,
    },
    ...(lastHeard !== undefined && { lastHeard: new Date(lastHeard).toISOString() }),
    ...(vtep.route && { route: vtep.route }),
  };
}
