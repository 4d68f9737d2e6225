import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import type { InterfaceCaptureStats } from '../collector/collector.protocol';
import { EventBus } from '../events/event-bus.service';
import { VniRate, VniStatsTable } from './vni-stats';
import type { VniDto, CaptureInterfaceDto } from './capture.dto';
import { toVniDto } from './capture.dto';

const RATE_INTERVAL_MS = 1000;

/** Traffic seen on the wire, merged from every collector, with per-VNI rates once a second. */
@Injectable()
export class CaptureService implements OnModuleInit, OnApplicationShutdown {
  private readonly table = new VniStatsTable();
  private readonly interfaces = new Map<string, readonly InterfaceCaptureStats[]>();
  private readonly errors = new Map<string, string>();
  private lastRates: readonly VniRate[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.bus.on('capture.delta', ({ netns, pairs }) => this.table.merge(netns, pairs));
    this.bus.on('capture.stats', ({ netns, interfaces }) => {
      this.interfaces.set(netns, interfaces);
      for (const i of interfaces) {
        this.errors.delete(`${netns}/${i.name}`);
      }
    });
    this.bus.on('capture.error', ({ netns, interface: name, message }) => this.errors.set(`${netns}/${name}`, message));
    this.bus.on('collector.status', ({ netns, state }) => {
      if (state === 'exited') {
        this.interfaces.delete(netns);
      }
    });
    this.timer = setInterval(() => {
      const at = Date.now();
      this.lastRates = this.table.rates(at);
      this.bus.emit('vni.rates', { at, rates: this.lastRates });
    }, RATE_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  vnis(filter: { netns?: string; vni?: number }): VniDto[] {
    const rates = new Map(this.lastRates.map((r) => [`${r.netns}\u0000${r.vni}`, r]));
    return this.table
      .list()
      .filter((v) => (filter.netns === undefined || v.netns === filter.netns) && (filter.vni === undefined || v.vni === filter.vni))
      .map((v) => toVniDto(v, rates.get(`${v.netns}\u0000${v.vni}`)));
  }

  captureInterfaces(): CaptureInterfaceDto[] {
    const out: CaptureInterfaceDto[] = [];
    for (const [netns, list] of this.interfaces) {
      for (const i of list) {
        out.push({ netns, ...i });
      }
    }
    for (const [key, message] of this.errors) {
      const [netns, name] = key.split('/');
      out.push({ netns, name, error: message });
    }
    return out;
  }
}
