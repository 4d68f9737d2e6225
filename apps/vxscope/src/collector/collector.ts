import { createVxlanFrameInfo, decodeVxlanFrame, formatIpv4, formatIpv6, PortRegistry } from '@vx/wire';

import type { CaptureHandle, PcapSource } from '../capture/pcap.source';
import type { NetlinkSource } from '../netlink/netlink.source';
import type { LinkInfo, NetlinkEvent } from '../netlink/netlink.types';
import { planCapture, type CapturePlan } from './capture-plan';
import type { CollectorMessage, CollectorOptions, InterfaceCaptureStats } from './collector.protocol';
import { PairAggregator } from './pair-aggregator';

interface ActiveCapture {
  readonly name: string;
  readonly handle: CaptureHandle;
  readonly filter: string;
  packets: number;
  vxlanPackets: number;
  readonly decodeErrors: Map<string, number>;
}

const KERNEL_RING_BYTES = 32 * 1024 * 1024;

/**
 * Runs inside the watched network namespace: follows links and the FDB over rtnetlink, captures
 * VXLAN on the planned interfaces, decodes each packet synchronously in the pcap callback and sends
 * aggregates to the daemon every flush interval.
 */
export class Collector {
  private readonly links = new Map<number, LinkInfo>();
  private readonly captures = new Map<string, ActiveCapture>();
  private readonly aggregator = new PairAggregator(formatIpv4);
  private readonly frame = createVxlanFrameInfo();
  private plan: CapturePlan | undefined;
  private ports: PortRegistry;
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: CollectorOptions,
    private readonly pcapSource: PcapSource,
    private readonly netlinkSource: NetlinkSource,
    private readonly send: (msg: CollectorMessage) => void,
  ) {
    this.ports = new PortRegistry(options.ports);
  }

  async start(): Promise<void> {
    // Subscribe before dumping so that no change between the dump and the subscription is lost;
    // events that raced the dump are idempotent updates of the same state.
    this.netlinkSource.subscribe((event) => this.onNetlinkEvent(event));
    await this.resync();
    this.flushTimer = setInterval(() => this.flush(), this.options.flushIntervalMs);
    this.send({ type: 'ready', pid: process.pid });
  }

  stop(): void {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    if (this.flushTimer) {
      clearInterval(this.flushTimer);
    }
    this.flush();
    for (const c of this.captures.values()) {
      c.handle.close();
    }
    this.captures.clear();
    this.netlinkSource.close();
  }

  private async resync(): Promise<void> {
    const [links, fdb] = await Promise.all([this.netlinkSource.dumpLinks(), this.netlinkSource.dumpFdb()]);
    this.links.clear();
    for (const l of links) {
      this.links.set(l.ifindex, l);
    }
    this.send({ type: 'links.snapshot', links });
    this.send({ type: 'fdb.snapshot', entries: fdb });
    this.replan();
  }

  private onNetlinkEvent(event: NetlinkEvent): void {
    if (this.stopped) {
      return;
    }
    switch (event.type) {
      case 'link.changed':
        this.links.set(event.link.ifindex, event.link);
        break;
      case 'link.removed':
        this.links.delete(event.ifindex);
        break;
      case 'resync-needed':
        this.resync().catch((err: unknown) => this.log('error', `resync failed: ${String(err)}`));
        return;
      case 'fdb.added':
      case 'fdb.removed':
      case 'neigh.added':
      case 'neigh.removed':
        break;
    }
    this.send({ type: 'netlink.event', event });
    if (event.type === 'link.changed' || event.type === 'link.removed') {
      this.replan();
    }
  }

  private replan(): void {
    const next = planCapture([...this.links.values()], this.options.interfaces, this.options.ports);
    const prev = this.plan;
    this.plan = next;
    if (prev && prev.filter !== next.filter) {
      // New VXLAN ports: the decoder learns them, and every session reopens with the new filter.
      this.ports = new PortRegistry(next.ports);
      for (const name of [...this.captures.keys()]) {
        this.closeCapture(name);
      }
    }
    for (const name of [...this.captures.keys()]) {
      if (!next.interfaces.includes(name) || !this.interfaceExists(name)) {
        this.closeCapture(name);
      }
    }
    for (const name of next.interfaces) {
      if (!this.captures.has(name) && this.interfaceExists(name)) {
        this.openCapture(name, next.filter);
      }
    }
  }

  private interfaceExists(name: string): boolean {
    if (name === 'any') {
      return true;
    }
    for (const l of this.links.values()) {
      if (l.name === name) {
        return true;
      }
    }
    return false;
  }

  private openCapture(name: string, filter: string): void {
    const decodeErrors = new Map<string, number>();
    let capture: ActiveCapture | undefined;
    try {
      const handle = this.pcapSource.openLive(
        name,
        { filter, snaplen: this.options.snaplen, bufferTimeoutMs: this.options.bufferTimeoutMs, bufferSize: KERNEL_RING_BYTES },
        (buf, caplen, wirelen, tsSec, tsUsec) => {
          if (capture !== undefined) {
            this.onPacket(capture, buf, caplen, wirelen, tsSec * 1000 + Math.floor(tsUsec / 1000));
          }
        },
        (err) => this.log('error', `capture handler on ${name}: ${err.message}`),
      );
      capture = { name, handle, filter, packets: 0, vxlanPackets: 0, decodeErrors };
      this.captures.set(name, capture);
      this.log('log', `capturing on ${name} (${handle.linkTypeName}) with filter "${filter}"`);
    } catch (err) {
      this.send({ type: 'capture.error', interface: name, message: err instanceof Error ? err.message : String(err) });
    }
  }

  private closeCapture(name: string): void {
    const c = this.captures.get(name);
    if (c) {
      this.sendStats();
      c.handle.close();
      this.captures.delete(name);
    }
  }

  private onPacket(capture: ActiveCapture, buf: Buffer, caplen: number, wirelen: number, tsMs: number): void {
    capture.packets++;
    const f = this.frame;
    if (!decodeVxlanFrame(buf, 0, caplen, capture.handle.linkType, this.ports, f)) {
      if (f.error !== undefined) {
        capture.decodeErrors.set(f.error, (capture.decodeErrors.get(f.error) ?? 0) + 1);
      }
      return;
    }
    capture.vxlanPackets++;
    const src = f.outerIpVersion === 4 ? f.outerSrc4 : formatIpv6(buf, f.outerSrcOffset);
    const dst = f.outerIpVersion === 4 ? f.outerDst4 : formatIpv6(buf, f.outerDstOffset);
    this.aggregator.add(f.vni, f.dstPort, src, dst, wirelen, tsMs);
  }

  private flush(): void {
    const pairs = this.aggregator.flush();
    if (pairs.length > 0) {
      this.send({ type: 'capture.delta', at: Date.now(), pairs });
    }
    this.sendStats();
  }

  private sendStats(): void {
    const interfaces: InterfaceCaptureStats[] = [];
    for (const c of this.captures.values()) {
      const s = c.handle.stats();
      interfaces.push({
        name: c.name,
        linkType: c.handle.linkTypeName,
        filter: c.filter,
        packets: c.packets,
        vxlanPackets: c.vxlanPackets,
        pcapReceived: s.received,
        pcapDropped: s.dropped,
        ifDropped: s.ifDropped,
        decodeErrors: Object.fromEntries(c.decodeErrors),
      });
    }
    this.send({ type: 'capture.stats', interfaces });
  }

  private log(level: 'log' | 'warn' | 'error', message: string): void {
    this.send({ type: 'log', level, message });
  }
}
