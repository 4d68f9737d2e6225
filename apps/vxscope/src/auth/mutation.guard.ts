import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';

import { listensOnLoopbackOnly, type AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Endpoints that change the machine (labs, faults) need `Authorization: Bearer <token>` when a
 * token is configured; without one they are allowed only while the daemon listens on loopback alone.
 */
@Injectable()
export class MutationGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.token;
    if (token === undefined) {
      if (listensOnLoopbackOnly(this.config)) {
        return true;
      }
      throw new ForbiddenException('mutating endpoints are disabled: the daemon listens beyond loopback and no --token is set');
    }
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const m = /^Bearer (\S+)$/.exec(header);
    // Compare digests: equal lengths, and the comparison time does not depend on the token.
    if (!m || !timingSafeEqual(digest(m[1]), digest(token))) {
      throw new UnauthorizedException('a valid bearer token is required (Authorization: Bearer <token>)');
    }
    return true;
  }
}
