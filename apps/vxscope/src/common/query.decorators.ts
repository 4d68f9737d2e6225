import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The largest VNI: RFC 7348 §5 gives the VNI 24 bits. */
export const MAX_VNI = 16777215;

/** An optional `vni` query parameter: a whole number in 0..2^24-1, converted from the query string. */
export function OptionalVniQuery(): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ minimum: 0, maximum: MAX_VNI }), IsOptional(), Type(() => Number), IsInt(), Min(0), Max(MAX_VNI));
}

/** An optional `limit` query parameter: a whole number in 1..1000 (the default is the endpoint's). */
export function OptionalLimitQuery(defaultLimit: number): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ minimum: 1, maximum: 1000, default: defaultLimit }), IsOptional(), Type(() => Number), IsInt(), Min(1), Max(1000));
}
