import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { EventBus } from '../events/event-bus.service';
import {
  toCaptureInterfaceDto,
  toFlowDto,
  toMacDto,
  toPacketDto,
  toVniDto,
  type CaptureInterfaceDto,
  type FlowDto,
  type FlowQueryDto,
  type MacDto,
  type MacQueryDto,
  type PacketDto,
  type PacketQueryDto,
  type VniDto,
  type VniQueryDto,
} from './capture.dto';
import { matchesPacket, writePcap } from './pcap-export';
import { TrafficStore, type StoredPacket, type VniRate } from './traffic-store';

const RATE_INTERVAL_MS = 1000;

/** Traffic seen on the wire, merged from every collector, with per-VNI rates once a second. */
@Injectable()
export class CaptureService implements OnModuleInit, OnApplicationShutdown {
  private readonly store = new TrafficStore({ packetsPerVni: 256, macsPerNetns: 100_000, maxVnis: 16_384, maxPairsPerVni: 4096 });
  private lastRates: readonly VniRate[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.bus.on('capture.delta', ({ netns, interfaces }) => this.store.mergeDelta(netns, interfaces));
    this.bus.on('capture.stats', ({ netns, interfaces }) => this.store.setStats(netns, interfaces));
    this.bus.on('capture.error', ({ netns, interface: name, message }) => this.store.setError(netns, name, message));
    this.bus.on('collector.status', ({ netns, state }) => {
      if (state === 'exited') {
        this.store.collectorGone(netns);
      }
    });
    this.timer = setInterval(() => {
      const at = Date.now();
      this.lastRates = this.store.rates(at);
      this.bus.emit('vni.rates', { at, rates: this.lastRates });
    }, RATE_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  vnis(filter: VniQueryDto): VniDto[] {
    const rates = new Map(this.lastRates.map((r) => [`${r.netns}\u0000${r.vni}`, r]));
    return this.store
      .listVnis()
      .filter((v) => (filter.netns === undefined || v.netns === filter.netns) && (filter.vni === undefined || v.vni === filter.vni))
      .map((v) => toVniDto(v, rates.get(`${v.netns}\u0000${v.vni}`)));
  }

  captureInterfaces(): CaptureInterfaceDto[] {
    return this.store.listInterfaces().map(toCaptureInterfaceDto);
  }

  flows(q: FlowQueryDto): FlowDto[] {
    return this.store
      .topFlows()
      .filter((f) => (q.netns === undefined || f.netns === q.netns) && (q.vni === undefined || f.vni === q.vni))
      .slice(0, q.limit ?? 50)
      .map(toFlowDto);
  }

  macs(q: MacQueryDto): MacDto[] {
    return this.store
      .listMacs(q.netns)
      .filter((m) => (q.vni === undefined || m.vni === q.vni) && (q.mac === undefined || m.mac === q.mac))
      .sort((a, b) => b.lastSeen - a.lastSeen)
      .map(toMacDto);
  }

  private matching(q: PacketQueryDto): StoredPacket[] {
    return this.store.recentPackets(q.netns, q.vni).filter((p) => matchesPacket(p, q.mac, q.ip));
  }

  packets(q: PacketQueryDto): PacketDto[] {
    return this.matching(q).slice(-(q.limit ?? 50)).map(toPacketDto);
  }

  /** A pcap file of the recent packets that match (the newest `limit` of them when given). */
  exportPcap(q: PacketQueryDto): Buffer {
    const m = this.matching(q);
    return writePcap(q.limit === undefined ? m : m.slice(-q.limit));
  }
}
