import { Injectable, OnModuleInit } from '@nestjs/common';

import { EventBus } from '../events/event-bus.service';
import type { NetnsLabel } from '../events/events';
import { parseIp } from '../netlink/netlink-encode';
import type { FdbEntry, LinkInfo, NeighEntry, NetlinkEvent } from '../netlink/netlink.types';
import { NetnsState, type FdbDiff, type LinkDiff, type NeighDiff, type RouteDiff } from './netns-state';
import {
  toBridgeDto,
  toFdbDto,
  toNeighborDto,
  toRouteDto,
  toVxlanLinkDto,
  type BridgeDto,
  type FdbDto,
  type FdbQueryDto,
  type LinkDto,
  type LinksDto,
  type NeighborDto,
  type NeighborQueryDto,
  type RouteDto,
} from './topology.dto';

/** A remote VTEP as the kernel of one namespace knows it: who points to it, and the route toward it. */
export interface RemoteVtep {
  readonly netns: string;
  readonly address: string;
  /** vxlan devices with this address as their default remote or multicast group. */
  readonly devices: readonly string[];
  /** FDB entries whose destination it is. */
  readonly fdb: readonly FdbDto[];
  readonly route?: RouteDto;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

/**
 * The kernel state of every watched namespace (links, bridges, FDB, IP neighbours, routes toward
 * remote VTEPs), kept from collector snapshots and events. Snapshots after the first are resyncs:
 * their differences are published as events, like the kernel's own.
 */
@Injectable()
export class TopologyService implements OnModuleInit {
  private readonly states = new Map<NetnsLabel, NetnsState>();
  /** Per kind of snapshot, the namespaces whose first one has arrived: later ones are resyncs whose differences are news. */
  private readonly synced = { fdb: new Set<NetnsLabel>(), neigh: new Set<NetnsLabel>(), routes: new Set<NetnsLabel>() };

  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.bus.on('kernel.links', ({ netns, links }) => {
      const diffs = this.state(netns).replaceLinks(links);
      if (this.synced.fdb.has(netns)) {
        this.publishLinks(netns, diffs);
      }
    });
    this.bus.on('kernel.fdb', ({ netns, entries }) => {
      const diffs = this.state(netns).replaceFdb(entries, Date.now());
      if (this.synced.fdb.has(netns)) {
        this.publishFdb(netns, diffs);
      }
      this.synced.fdb.add(netns);
    });
    this.bus.on('kernel.neigh', ({ netns, entries }) => {
      const diffs = this.state(netns).replaceNeighbours(entries, Date.now());
      if (this.synced.neigh.has(netns)) {
        this.publishNeigh(netns, diffs);
      }
      this.synced.neigh.add(netns);
    });
    this.bus.on('kernel.routes', ({ netns, routes }) => {
      const diffs = this.state(netns).replaceRoutes(routes, Date.now());
      if (this.synced.routes.has(netns)) {
        this.publishRoutes(netns, diffs);
      }
      this.synced.routes.add(netns);
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

  private selected(netns: string | undefined): NetnsState[] {
    return [...this.states.values()].filter((s) => netns === undefined || s.netns === netns);
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
        this.publishNeigh(netns, s.dropNeighOf(event.ifindex));
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
      case 'neigh.added': {
        const d = s.upsertNeigh(event.entry, now);
        this.publishNeigh(netns, d ? [d] : []);
        break;
      }
      case 'neigh.removed': {
        const d = s.removeNeigh(event.entry);
        this.publishNeigh(netns, d ? [d] : []);
        break;
      }
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

  private publishNeigh(netns: NetnsLabel, diffs: readonly NeighDiff[]): void {
    for (const d of diffs) {
      this.bus.emit('neigh.changed', { netns, change: d.change, entry: d.entry, previous: d.previous });
    }
  }

  private publishRoutes(netns: NetnsLabel, diffs: readonly RouteDiff[]): void {
    for (const d of diffs) {
      this.bus.emit('route.changed', { netns, change: d.change, route: d.route, previous: d.previous });
    }
  }

  fdb(query: FdbQueryDto): FdbDto[] {
    const out: FdbDto[] = [];
    for (const s of this.selected(query.netns)) {
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
    return out.sort(
      (a, b) => a.netns.localeCompare(b.netns) || a.device.localeCompare(b.device) || a.mac.localeCompare(b.mac),
    );
  }

  links(netns?: string): LinksDto {
    const vxlan = [];
    const bridges: BridgeDto[] = [];
    for (const s of this.selected(netns)) {
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

  neighbors(query: NeighborQueryDto): NeighborDto[] {
    const out: NeighborDto[] = [];
    for (const s of this.selected(query.netns)) {
      for (const rec of s.neighbours.values()) {
        if (
          (query.ip === undefined || sameIp(rec.entry.ip, query.ip)) &&
          (query.mac === undefined || rec.entry.mac === query.mac)
        ) {
          out.push(toNeighborDto(s, rec));
        }
      }
    }
    return out.sort(
      (a, b) =>
        a.netns.localeCompare(b.netns) ||
        a.family - b.family ||
        a.ip.localeCompare(b.ip) ||
        a.device.localeCompare(b.device),
    );
  }

  /** The routes toward the remote VTEPs, one per VTEP and namespace. */
  routes(netns?: string): RouteDto[] {
    const out: RouteDto[] = [];
    for (const s of this.selected(netns)) {
      for (const rec of s.routes.values()) {
        out.push(toRouteDto(s, rec));
      }
    }
    return out.sort((a, b) => a.netns.localeCompare(b.netns) || a.vtep.localeCompare(b.vtep));
  }

  /** Every remote VTEP (FDB destination, vxlan remote or group) with the entries pointing to it and its route. */
  remoteVteps(netns?: string): RemoteVtep[] {
    const out: RemoteVtep[] = [];
    for (const s of this.selected(netns)) {
      const vteps = new Map<string, { devices: Set<string>; fdb: FdbDto[] }>();
      const at = (address: string): { devices: Set<string>; fdb: FdbDto[] } => {
        let v = vteps.get(address);
        if (!v) {
          v = { devices: new Set(), fdb: [] };
          vteps.set(address, v);
        }
        return v;
      };
      for (const l of s.links.values()) {
        for (const address of [l.vxlan?.remote, l.vxlan?.group]) {
          if (address !== undefined) {
            at(address).devices.add(l.name);
          }
        }
      }
      for (const rec of s.fdb.values()) {
        const dst = rec.entry.dst;
        if (dst !== undefined && !UNSPECIFIED.has(dst)) {
          at(dst).fdb.push(toFdbDto(s, rec));
        }
      }
      for (const [address, v] of vteps) {
        const route = s.routes.get(address);
        out.push({
          netns: s.netns,
          address,
          devices: [...v.devices].sort(),
          fdb: v.fdb.sort((a, b) => a.device.localeCompare(b.device) || a.mac.localeCompare(b.mac)),
          ...(route && { route: toRouteDto(s, route) }),
        });
      }
    }
    return out.sort((a, b) => a.netns.localeCompare(b.netns) || a.address.localeCompare(b.address));
  }

  /** The VNI of a vxlan device, for FDB entries that carry none of their own. */
  deviceVni(netns: NetnsLabel, ifindex: number): number | undefined {
    return this.states.get(netns)?.links.get(ifindex)?.vxlan?.vni;
  }

  /** The API view of one FDB entry (also of one just removed), for the live feed. */
  describeFdb(netns: NetnsLabel, entry: FdbEntry): FdbDto {
    const now = Date.now();
    return toFdbDto(this.state(netns), { entry, since: now, updatedAt: now });
  }

  /** The API view of one neighbour (also of one just removed), for the live feed. */
  describeNeighbor(netns: NetnsLabel, entry: NeighEntry): NeighborDto {
    const now = Date.now();
    return toNeighborDto(this.state(netns), { entry, since: now, updatedAt: now });
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
    return {
      kind: link.kind ?? 'other',
      netns,
      name: link.name,
      ifindex: link.ifindex,
      mtu: link.mtu,
      up: link.adminUp,
      operstate: link.operstate,
    };
  }
}

/** Text forms of one IPv6 address differ (`fd00::1`, `FD00:0::1`): compare the bytes. */
function sameIp(kernel: string, query: string): boolean {
  const a = parseIp(kernel);
  const b = parseIp(query);
  return a !== undefined && b !== undefined && a.equals(b);
}
