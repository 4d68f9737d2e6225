import { Injectable } from '@nestjs/common';

/** Wall-clock time for history rows and retention, so tests can move time without waiting. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
