import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventBus } from '../events/event-bus.service';
import { FlapDetector, type FdbFlapCleared, type FlapSignal } from './flap-detector';
import { toFlapDto, type FlapDto, type FlapQueryDto } from './topology.dto';
import { TopologyService } from './topology.service';

/** Cleared flaps kept for GET /api/flaps. */
const MAX_CLEARED = 1000;

/**
 * Feeds the topology's FDB differences (events and resync diffs alike) to the FlapDetector, and
 * publishes what it raises and clears as 'fdb.flap' / 'fdb.flap.cleared'.
 */
@Injectable()
export class FlapService implements OnModuleInit, OnApplicationShutdown {
  private readonly detector: FlapDetector;
  private readonly cleared: FdbFlapCleared[] = [];
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly bus: EventBus,
    private readonly topology: TopologyService,
  ) {
    this.detector = new FlapDetector(config.flap, { now: () => Date.now() });
    // Clear within a quarter of the quiet period, at most a second late.
    this.tickMs = Math.max(100, Math.min(1000, Math.floor(config.flap.quietMs / 4)));
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.on('fdb.changed', ({ netns, change, entry, previous }) => {
      const vni = entry.vni ?? this.topology.deviceVni(netns, entry.ifindex) ?? 0;
      this.publish(
        this.detector.observe({ netns, vni, mac: entry.mac, change, dst: entry.dst, previousDst: previous?.dst }),
      );
    });
    this.timer = setInterval(() => this.publish(this.detector.tick()), this.tickMs);
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    clearInterval(this.timer);
  }

  list(query: FlapQueryDto): FlapDto[] {
    const active = query.active === false ? [] : this.detector.active();
    const cleared = query.active === true ? [] : this.cleared;
    return [...active, ...cleared]
      .filter((f) => query.netns === undefined || f.netns === query.netns)
      .sort((a, b) => b.raisedAt - a.raisedAt)
      .map(toFlapDto);
  }

  private publish(signals: readonly FlapSignal[]): void {
    for (const signal of signals) {
      switch (signal.kind) {
        case 'raised':
          this.bus.emit('fdb.flap', signal.flap);
          break;
        case 'cleared':
          this.cleared.push(signal.flap);
          if (this.cleared.length > MAX_CLEARED) {
            this.cleared.shift();
          }
          this.bus.emit('fdb.flap.cleared', signal.flap);
          break;
      }
    }
  }
}
