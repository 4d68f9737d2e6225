import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsIP, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';

export const LAB_MODES = ['unicast', 'multicast', 'static-fdb'] as const;
export type LabMode = (typeof LAB_MODES)[number];

export const FAULT_TYPES = [
  'vni-mismatch',
  'port-mismatch',
  'drop-flood-entry',
  'stale-fdb',
  'link-down',
  'detach-from-bridge',
  'mtu',
  'underlay-drop',
  'mac-flap',
  'learning-off',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** An IPv4 multicast address (224.0.0.0/4). */
const MULTICAST_V4 = /^(22[4-9]|23\d)\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export class CreateLabDto {
  @ApiProperty({ enum: LAB_MODES, description: 'How VTEPs find each other: one fixed remote, a multicast group, or default FDB entries per peer' })
  @IsIn(LAB_MODES)
  mode!: LabMode;

  @ApiProperty({ minimum: 2, maximum: 8, description: 'VTEP hosts (unicast: exactly 2)' })
  @IsInt()
  @Min(2)
  @Max(8)
  hosts!: number;

  @ApiProperty({ minimum: 0, maximum: 16777215 })
  @IsInt()
  @Min(0)
  @Max(16777215)
  vni!: number;

  @ApiPropertyOptional({ default: 4789, minimum: 1, maximum: 65535 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({ description: 'MTU of the vxlan devices (default: underlay MTU - 50 = 1450)', minimum: 576, maximum: 8950 })
  @IsOptional()
  @IsInt()
  @Min(576)
  @Max(8950)
  mtu?: number;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 16 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(16)
  endpointsPerHost?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  learning?: boolean;

  @ApiPropertyOptional({ description: 'Multicast group (multicast mode); default 239.1.1.<lab index>' })
  @IsOptional()
  @ValidateIf((o: CreateLabDto) => o.group !== undefined)
  @IsIP(4)
  @Matches(MULTICAST_V4, { message: 'group must be an IPv4 multicast address (224.0.0.0/4)' })
  group?: string;
}

export class FaultDto {
  @ApiProperty({ enum: FAULT_TYPES })
  @IsIn(FAULT_TYPES)
  type!: FaultType;

  @ApiPropertyOptional({ description: 'Index of the host to break (default 0)', minimum: 0, maximum: 7 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7)
  host?: number;
}

export class LabIdParams {
  @ApiProperty({ example: '3fa2' })
  @Matches(/^[0-9a-f]{4}$/, { message: 'id must be 4 hex digits' })
  id!: string;
}

export class FaultIdParams extends LabIdParams {
  @ApiProperty({ example: 'f1' })
  @Matches(/^f[0-9]{1,4}$/, { message: 'faultId must look like f1' })
  faultId!: string;
}
