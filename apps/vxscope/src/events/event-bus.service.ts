import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';

import type { EventMap } from './events';

/** A typed, synchronous in-process event bus. A throwing listener is logged, never propagated to the emitter. */
@Injectable()
export class EventBus {
  private readonly logger = new Logger(EventBus.name);
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  emit<K extends keyof EventMap>(name: K, payload: EventMap[K]): void {
    for (const listener of this.emitter.listeners(name)) {
      try {
        (listener as (p: EventMap[K]) => void)(payload);
      } catch (err) {
        this.logger.error(`listener for ${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  }

  on<K extends keyof EventMap>(name: K, listener: (payload: EventMap[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
