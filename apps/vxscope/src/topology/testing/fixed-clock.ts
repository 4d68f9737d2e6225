import type { Clock } from '../flap-detector';

/** A clock that moves only when told to. */
export class FixedClock implements Clock {
  constructor(private t = Date.UTC(2025, 0, 1, 12, 0, 0)) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): this {
    this.t += ms;
    return this;
  }
}
