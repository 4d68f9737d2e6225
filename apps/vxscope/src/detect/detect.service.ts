import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { EventBus } from '../events/event-bus.service';
import { toDetectionDto, type DetectionDto, type DetectionQueryDto } from './detect.dto';
import { DetectionStore } from './detection-store';

/** How often keys with new occurrences are summarised on the bus (their first occurrence goes at once). */
export const DETECTION_SUMMARY_MS = 10_000;
/** Events per summary round at most; the rest stay pending for the next. */
const MAX_SUMMARY_EVENTS = 500;

/**
 * The collectors' wire checks, merged: per namespace, kind, VNI, VTEP and MAC, with first and last
 * seen and examples; each key reported on the bus as 'detection' at its first occurrence and then
 * in a periodic summary, never once per packet.
 */
@Injectable()
export class DetectService implements OnModuleInit, OnApplicationShutdown {
  private readonly store = new DetectionStore();
  private readonly unsubscribe: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.on('capture.delta', ({ netns, interfaces }) => {
        for (const d of interfaces) {
          for (const row of d.detections ?? []) {
            const first = this.store.add(netns, row);
            if (first) {
              this.bus.emit('detection', first);
            }
          }
        }
      }),
    );
    this.timer = setInterval(() => {
      for (const e of this.store.summary(MAX_SUMMARY_EVENTS)) {
        this.bus.emit('detection', e);
      }
    }, DETECTION_SUMMARY_MS);
  }

  onApplicationShutdown(): void {
    this.unsubscribe.forEach((u) => u());
    clearInterval(this.timer);
  }

  list(q: DetectionQueryDto): DetectionDto[] {
    return this.store.list(q).map(toDetectionDto);
  }
}
