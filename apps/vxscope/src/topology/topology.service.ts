import { Injectable, OnModuleInit } from '@nestjs/common';

import { EventBus } from '../events/event-bus.service';
import type { NetnsLabel } from '../events/events';
import type { FdbEntry, LinkInfo, NetlinkEvent } from '../netlink/netlink.types';
import { NetnsState, type FdbDiff, type LinkDiff } from './netns-state';
import { toBridgeDto, toFdbDto, toVxlanLinkDto, type BridgeDto, type FdbDto, type FdbQueryDto, type LinkDto, type LinksDto } from './topology.dto';

/** The kernel state of every watched namespace (links, bridges, FDB), kept from collector snapshots and events. */
@Injectable()
export class TopologyService implements OnModuleInit {
  private readonly states = new Map<NetnsLabel, NetnsState>();
  /** Namespaces whose first dump has arrived: later dumps are resyncs whose differences are news. */
  private readonly synced = new Set<NetnsLabel>();

  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.bus.on('kernel.links', ({ netns, links }) => {
      const diffs = this.state(netns).replaceLinks(links);
      if (this.synced.has(netns)) {
        this.publishLinks(netns, diffs);
      }
    });
    this.bus.on('kernel.fdb', ({ netns, entries }) => {
      const diffs = this.state(netns).replaceFdb(entries, Date.now());
      if (this.synced.has(netns)) {
        this.publishFdb(netns, diffs);
      }
      this.synced.add(netns);
    });
    this.bus.on('kernel.event', ({ netns, event }) => this.apply(netns, event));
  }

  private state(netns: NetnsLabel): NetnsState {
    let s = this.states.get(netns);
    if (!s) {
      s = new NetnsState(netns);
      this.states.set(netns, s);
    }
    return s;
  }

  private apply(netns: NetnsLabel, event: NetlinkEvent): void {
    const s = this.state(netns);
    const now = Date.now();
    switch (event.type) {
      case 'link.changed': {
        const d = s.upsertLink(event.link);
        this.publishLinks(netns, d ? [d] : []);
        break;
      }
      case 'link.removed':
        this.publishFdb(netns, s.dropFdbOf(event.ifindex));
        this.publishLinks(netns, s.removeLink(event.ifindex));
        break;
      case 'fdb.added': {
        const d = s.upsertFdb(event.entry, now);
        this.publishFdb(netns, d ? [d] : []);
        break;
      }
      case 'fdb.removed': {
        const d = s.removeFdb(event.entry);
        this.publishFdb(netns, d ? [d] : []);
        break;
      }
      case 'neigh.added':
      case 'neigh.removed':
      case 'resync-needed':
        break;
    }
  }

  private publishLinks(netns: NetnsLabel, diffs: readonly LinkDiff[]): void {
    for (const d of diffs) {
      this.bus.emit('link.changed', { netns, change: d.change, link: d.link });
    }
  }

  private publishFdb(netns: NetnsLabel, diffs: readonly FdbDiff[]): void {
    for (const d of diffs) {
      this.bus.emit('fdb.changed', { netns, change: d.change, entry: d.entry, previous: d.previous });
    }
  }

  fdb(query: FdbQueryDto): FdbDto[] {
    const out: FdbDto[] = [];
    for (const s of this.states.values()) {
      if (query.netns !== undefined && s.netns !== query.netns) {
        continue;
      }
      for (const rec of s.fdb.values()) {
        const dto = toFdbDto(s, rec);
        if (
          (query.mac === undefined || dto.mac === query.mac.toLowerCase()) &&
          (query.vni === undefined || dto.vni === query.vni) &&
          (query.vtep === undefined || dto.dst === query.vtep) &&
          (query.device === undefined || dto.device === query.device)
        ) {
          out.push(dto);
        }
      }
    }
    return out.sort((a, b) => a.netns.localeCompare(b.netns) || a.device.localeCompare(b.device) || a.mac.localeCompare(b.mac));
  }

  links(netns?: string): LinksDto {
    const vxlan = [];
    const bridges: BridgeDto[] = [];
    for (const s of this.states.values()) {
      if (netns !== undefined && s.netns !== netns) {
        continue;
      }
      for (const l of s.links.values()) {
        if (l.vxlan) {
          vxlan.push(toVxlanLinkDto(s, l));
        } else if (l.kind === 'bridge') {
          bridges.push(toBridgeDto(s, l));
        }
      }
    }
    return { vxlan, bridges };
  }

  /** The API view of one FDB entry (also of one just removed), for the live feed. */
  describeFdb(netns: NetnsLabel, entry: FdbEntry): FdbDto {
    const now = Date.now();
    return toFdbDto(this.state(netns), { entry, since: now, updatedAt: now });
  }

  /** The API view of one link: vxlan devices and bridges in full, anything else by name and state. */
  describeLink(netns: NetnsLabel, link: LinkInfo): LinkDto {
    const s = this.state(netns);
    if (link.vxlan) {
      return { kind: 'vxlan', ...toVxlanLinkDto(s, link) };
    }
    if (link.kind === 'bridge') {
      return { kind: 'bridge', ...toBridgeDto(s, link) };
    }
    return { kind: link.kind ?? 'other', netns, name: link.name, ifindex: link.ifindex, mtu: link.mtu, up: link.adminUp, operstate: link.operstate };
  }
}
