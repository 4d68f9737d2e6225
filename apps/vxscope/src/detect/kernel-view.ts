import type { FdbEntry, LinkInfo, NetlinkEvent } from '../netlink/netlink.types';
import { FdbIndex } from './fdb-index';

/** The kernel's default VXLAN port when a device was made without one (the vxlan module's `udp_port`). */
const LINUX_DEFAULT_PORT = 8472;
const DEFAULT_MTU = 1500;
/** Tombstones of removed FDB entries are kept this long (the wire checks' grace period). */
const TOMBSTONE_MS = 5_000;
const MAX_TOMBSTONES = 65_536;

/** A local vxlan device, reduced to what the wire checks compare against. Addresses are IPv4 as u32. */
export interface VxlanDeviceView {
  readonly ifindex: number;
  readonly name: string;
  readonly vni: number;
  /** UDP port it listens on and sends to. */
  readonly port: number;
  /** IFLA_VXLAN_LOCAL as u32; -1 when unset or IPv6. */
  readonly local: number;
  /** Multicast group as u32; -1 when none. */
  readonly group: number;
  readonly mtu: number;
  /** MTU of the underlay device (IFLA_VXLAN_LINK), or 1500 when it has none. */
  readonly underlayMtu: number;
  readonly learning: boolean;
  /** Flow-based (`external`): takes every VNI on its port. */
  readonly external: boolean;
}

/** The vxlan FDB for one (VNI, MAC), merged over the devices carrying that VNI. */
export interface FdbRoute {
  /** IPv4 destinations as u32 (IPv6 ones are left out). */
  readonly dsts: readonly number[];
  readonly isStatic: boolean;
  /** When this view last saw the route change (epoch ms). */
  readonly changedAt: number;
}

/** The local devices bound to one UDP port: what the kernel's VXLAN socket on that port accepts. */
export interface PortListeners {
  readonly external: boolean;
  readonly byVni: ReadonlyMap<number, VxlanDeviceView>;
}

/** One vxlan device's own FDB row set for one MAC (per remote), as the netlink events deliver them. */
interface RawGroup {
  readonly ifindex: number;
  /** NDA_VNI when the kernel sent it (it differs from the device's VNI). */
  readonly vni: number | undefined;
  readonly mac: number;
  /** dst text → [dst as u32 or -1 for IPv6/none, static] */
  readonly dsts: Map<string, readonly [number, boolean]>;
}

/** `a.b.c.d` → u32; -1 for anything else (IPv6, garbage). */
export function ipv4ToNumber(text: string | undefined): number {
  if (text === undefined) {
    return -1;
  }
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) {
    return -1;
  }
  const b = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  return b.some((x) => x > 255) ? -1 : b[0] * 0x1000000 + ((b[1] << 16) | (b[2] << 8) | b[3]);
}

/** `aa:bb:cc:dd:ee:ff` → 48-bit number (exact in a double). */
export function macToNumber(text: string): number {
  return parseInt(text.replace(/:/g, ''), 16);
}

/** The 48-bit number of the MAC at `offset` (no allocation). */
export function macAt(buf: Uint8Array, offset: number): number {
  return (
    ((buf[offset] << 8) | buf[offset + 1]) * 0x100000000 +
    buf[offset + 2] * 0x1000000 +
    ((buf[offset + 3] << 16) | (buf[offset + 4] << 8) | buf[offset + 5])
  );
}

export function formatMacNumber(mac: number): string {
  return mac
    .toString(16)
    .padStart(12, '0')
    .replace(/(..)(?!$)/g, '$1:');
}

function isGroupMac(mac: number): boolean {
  // The all-zeros default entry and multicast MACs (I/G bit) are the ones holding several remotes.
  return mac === 0 || Math.floor(mac / 0x10000000000) % 2 === 1;
}

function sameRoute(a: FdbRoute, dsts: readonly number[], isStatic: boolean): boolean {
  return a.isStatic === isStatic && a.dsts.length === dsts.length && a.dsts.every((d, i) => d === dsts[i]);
}

/**
 * The kernel state a collector's wire checks compare frames against, kept from the rtnetlink dumps
 * and events of its namespace: local VTEP addresses, groups, VNIs, ports and MTUs of the vxlan
 * devices, and the vxlan FDB as (VNI, MAC) → destination VTEPs, all as numbers so that a lookup per
 * packet allocates nothing. Lookups are for the hot path; updates come from netlink and may allocate.
 */
export class KernelView {
  private devicesList: VxlanDeviceView[] = [];
  private locals: number[] = [];
  private groupList: number[] = [];
  private wildcard = false;
  private portMap = new Map<number, PortListeners>();
  private readonly links = new Map<number, LinkInfo>();
  /** MAC → `ifindex|vni` → the device rows for it. */
  private readonly raw = new Map<number, Map<string, RawGroup>>();
  private fdb = new Map<number, Map<number, FdbRoute>>();
  /** The same routes as `fdb`, for the per-packet lookup. */
  private readonly index = new FdbIndex<FdbRoute>();
  private readonly tombstones = new Map<number, Map<number, number>>();
  private tombstoneCount = 0;
  private deviceSignature = '';
  private vniSignature = '';
  /** When the device configuration (VNIs, ports, addresses, MTUs) last changed (epoch ms). */
  configChangedAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get devices(): readonly VxlanDeviceView[] {
    return this.devicesList;
  }

  /** No vxlan device: nothing to check against. */
  get empty(): boolean {
    return this.devicesList.length === 0;
  }

  /** Some vxlan device has no IPv4 `local`: its VTEP address, and so a frame's direction, is unknown. */
  get wildcardLocal(): boolean {
    return this.wildcard;
  }

  /** The outer source of an outbound frame: a local device's VTEP address. */
  isLocal(addr: number): boolean {
    const l = this.locals;
    for (let i = 0; i < l.length; i++) {
      if (l[i] === addr) {
        return true;
      }
    }
    return false;
  }

  /** The outer destination of an inbound frame: a local VTEP address or a joined group. */
  isLocalOrGroup(addr: number): boolean {
    if (this.isLocal(addr)) {
      return true;
    }
    const g = this.groupList;
    for (let i = 0; i < g.length; i++) {
      if (g[i] === addr) {
        return true;
      }
    }
    return false;
  }

  listeners(port: number): PortListeners | undefined {
    return this.portMap.get(port);
  }

  /** The device that sends VNI `vni` from `local` (or from an unset local). */
  sender(vni: number, local: number): VxlanDeviceView | undefined {
    const d = this.devicesList;
    for (let i = 0; i < d.length; i++) {
      if (d[i].vni === vni && (d[i].local === local || d[i].local === -1)) {
        return d[i];
      }
    }
    return undefined;
  }

  route(vni: number, mac: number): FdbRoute | undefined {
    return this.index.get(vni, Math.floor(mac / 0x100000000), mac % 0x100000000 | 0);
  }

  /** route() for the MAC split as the hot path reads it: bits 47..32, and bits 31..0 as int32. */
  routeAt(vni: number, macHi: number, macLo: number): FdbRoute | undefined {
    return this.index.get(vni, macHi, macLo);
  }

  /** The default (all-zeros) destinations for `vni`: where unknown unicast is flooded. */
  floods(vni: number): readonly number[] | undefined {
    return this.index.get(vni, 0, 0)?.dsts;
  }

  /** When the route for (vni, mac) was removed, if within the last few seconds; else 0. */
  removedAt(vni: number, mac: number): number {
    return this.tombstones.get(vni)?.get(mac) ?? 0;
  }

  portsListening(): number[] {
    return [...this.portMap.keys()].sort((a, b) => a - b);
  }

  deviceName(ifindex: number): string | undefined {
    return this.links.get(ifindex)?.name;
  }

  /** A fresh dump: replaces everything. */
  reset(links: readonly LinkInfo[], fdb: readonly FdbEntry[]): void {
    this.links.clear();
    for (const l of links) {
      this.links.set(l.ifindex, l);
    }
    this.raw.clear();
    for (const e of fdb) {
      this.addRaw(e);
    }
    this.rebuildDevices();
    this.rebuildFdb();
  }

  apply(event: NetlinkEvent): void {
    switch (event.type) {
      case 'link.changed':
        this.links.set(event.link.ifindex, event.link);
        if (this.rebuildDevices()) {
          // Only a device coming, going or changing VNI moves FDB rows between VNIs.
          const vnis = this.devicesList.map((d) => `${d.ifindex}:${d.vni}`).join(',');
          if (vnis !== this.vniSignature) {
            this.rebuildFdb();
          }
        }
        break;
      case 'link.removed':
        this.links.delete(event.ifindex);
        for (const [mac, groups] of this.raw) {
          for (const [k, g] of groups) {
            if (g.ifindex === event.ifindex) {
              groups.delete(k);
            }
          }
          if (groups.size === 0) {
            this.raw.delete(mac);
          }
        }
        this.rebuildDevices();
        this.rebuildFdb();
        break;
      case 'fdb.added': {
        const g = this.addRaw(event.entry);
        if (g) {
          this.refresh(g);
        }
        break;
      }
      case 'fdb.removed': {
        const g = this.removeRaw(event.entry);
        if (g) {
          this.refresh(g);
        }
        break;
      }
      case 'neigh.added':
      case 'neigh.removed':
      case 'resync-needed':
        break;
    }
  }

  /** Forgets tombstones older than the grace period. */
  prune(): void {
    const limit = this.now() - TOMBSTONE_MS;
    for (const [vni, byMac] of this.tombstones) {
      for (const [mac, at] of byMac) {
        if (at < limit) {
          byMac.delete(mac);
          this.tombstoneCount--;
        }
      }
      if (byMac.size === 0) {
        this.tombstones.delete(vni);
      }
    }
  }

  private vxlanLink(ifindex: number): LinkInfo | undefined {
    const l = this.links.get(ifindex);
    return l?.vxlan !== undefined ? l : undefined;
  }

  /**
   * Rows of a vxlan device's own table. Bridge-table rows (NDA_MASTER) are not where VTEPs are chosen;
   * a row of a device not known yet is kept until its link arrives.
   */
  private isVxlanRow(e: FdbEntry): boolean {
    const link = this.links.get(e.ifindex);
    return e.master === undefined && (link === undefined || link.vxlan !== undefined);
  }

  private rawKey(ifindex: number, vni: number | undefined): string {
    return `${ifindex}|${vni ?? ''}`;
  }

  private addRaw(e: FdbEntry): RawGroup | undefined {
    if (!this.isVxlanRow(e)) {
      return undefined;
    }
    const mac = macToNumber(e.mac);
    if (!Number.isFinite(mac)) {
      return undefined;
    }
    let groups = this.raw.get(mac);
    if (groups === undefined) {
      groups = new Map();
      this.raw.set(mac, groups);
    }
    const key = this.rawKey(e.ifindex, e.vni);
    let g = groups.get(key);
    if (g === undefined) {
      g = { ifindex: e.ifindex, vni: e.vni, mac, dsts: new Map() };
      groups.set(key, g);
    } else if (!isGroupMac(mac)) {
      // A unicast MAC has one remote: a new dst replaces the old one (no removal event comes).
      g.dsts.clear();
    }
    g.dsts.set(e.dst ?? '', [ipv4ToNumber(e.dst), e.isStatic]);
    return g;
  }

  private removeRaw(e: FdbEntry): RawGroup | undefined {
    if (!this.isVxlanRow(e)) {
      return undefined;
    }
    const mac = macToNumber(e.mac);
    const groups = this.raw.get(mac);
    const key = this.rawKey(e.ifindex, e.vni);
    const g = groups?.get(key);
    if (groups === undefined || g === undefined) {
      return undefined;
    }
    if (e.dst === undefined || !isGroupMac(mac)) {
      g.dsts.clear();
    } else {
      g.dsts.delete(e.dst);
    }
    if (g.dsts.size === 0) {
      groups.delete(key);
      if (groups.size === 0) {
        this.raw.delete(mac);
      }
    }
    return g;
  }

  private resolvedVni(g: RawGroup): number | undefined {
    return g.vni ?? this.vxlanLink(g.ifindex)?.vxlan?.vni;
  }

  /** Recomputes the merged route of the (VNI, MAC) a raw group belongs to. */
  private refresh(g: RawGroup): void {
    const vni = this.resolvedVni(g);
    if (vni === undefined) {
      return;
    }
    const dsts: number[] = [];
    let isStatic = false;
    let any = false;
    for (const other of this.raw.get(g.mac)?.values() ?? []) {
      if (this.resolvedVni(other) === vni) {
        any = true;
        for (const [dst, st] of other.dsts.values()) {
          if (dst >= 0 && !dsts.includes(dst)) {
            dsts.push(dst);
          }
          isStatic ||= st;
        }
      }
    }
    dsts.sort((a, b) => a - b);
    this.setRoute(vni, g.mac, any ? { dsts, isStatic } : undefined, this.fdb);
  }

  private setRoute(vni: number, mac: number, next: { dsts: number[]; isStatic: boolean } | undefined, into: Map<number, Map<number, FdbRoute>>): void {
    let byMac = into.get(vni);
    const prev = this.fdb.get(vni)?.get(mac);
    if (next === undefined) {
      if (prev !== undefined) {
        byMac?.delete(mac);
        this.index.delete(vni, mac);
        this.tombstone(vni, mac);
      }
      return;
    }
    if (byMac === undefined) {
      byMac = new Map();
      into.set(vni, byMac);
    }
    const route = prev !== undefined && sameRoute(prev, next.dsts, next.isStatic) ? prev : { ...next, changedAt: this.now() };
    byMac.set(mac, route);
    if (into === this.fdb) {
      this.index.set(vni, mac, route);
    }
  }

  private tombstone(vni: number, mac: number): void {
    if (this.tombstoneCount >= MAX_TOMBSTONES) {
      this.tombstones.clear();
      this.tombstoneCount = 0;
    }
    let byMac = this.tombstones.get(vni);
    if (byMac === undefined) {
      byMac = new Map();
      this.tombstones.set(vni, byMac);
    }
    if (!byMac.has(mac)) {
      this.tombstoneCount++;
    }
    byMac.set(mac, this.now());
  }

  /** The whole merged FDB anew (after the devices changed): unchanged routes keep their time. */
  private rebuildFdb(): void {
    const merged = new Map<number, Map<number, { dsts: number[]; isStatic: boolean }>>();
    for (const g of [...this.raw.values()].flatMap((groups) => [...groups.values()])) {
      const vni = this.resolvedVni(g);
      if (vni === undefined) {
        continue;
      }
      let byMac = merged.get(vni);
      if (byMac === undefined) {
        byMac = new Map();
        merged.set(vni, byMac);
      }
      let r = byMac.get(g.mac);
      if (r === undefined) {
        r = { dsts: [], isStatic: false };
        byMac.set(g.mac, r);
      }
      for (const [dst, st] of g.dsts.values()) {
        if (dst >= 0 && !r.dsts.includes(dst)) {
          r.dsts.push(dst);
        }
        r.isStatic ||= st;
      }
    }
    const next = new Map<number, Map<number, FdbRoute>>();
    for (const [vni, byMac] of merged) {
      for (const [mac, r] of byMac) {
        r.dsts.sort((a, b) => a - b);
        this.setRoute(vni, mac, r, next);
      }
    }
    for (const [vni, byMac] of this.fdb) {
      for (const mac of byMac.keys()) {
        if (next.get(vni)?.has(mac) !== true) {
          this.tombstone(vni, mac);
        }
      }
    }
    this.fdb = next;
    this.index.clear();
    for (const [vni, byMac] of next) {
      for (const [mac, route] of byMac) {
        this.index.set(vni, mac, route);
      }
    }
    this.vniSignature = this.devicesList.map((d) => `${d.ifindex}:${d.vni}`).join(',');
  }

  /** Derives the device list from the links; returns whether it changed. */
  private rebuildDevices(): boolean {
    const devices: VxlanDeviceView[] = [];
    for (const l of this.links.values()) {
      const v = l.vxlan;
      if (v === undefined) {
        continue;
      }
      const underlay = v.underlayIfindex !== undefined ? this.links.get(v.underlayIfindex) : undefined;
      devices.push({
        ifindex: l.ifindex,
        name: l.name,
        vni: v.vni,
        port: v.dstport === 0 ? LINUX_DEFAULT_PORT : v.dstport,
        local: ipv4ToNumber(v.local),
        group: ipv4ToNumber(v.group),
        mtu: l.mtu ?? DEFAULT_MTU,
        underlayMtu: underlay?.mtu ?? DEFAULT_MTU,
        learning: v.learning,
        external: v.external,
      });
    }
    devices.sort((a, b) => a.ifindex - b.ifindex);
    const signature = JSON.stringify(devices);
    if (signature === this.deviceSignature) {
      return false;
    }
    this.deviceSignature = signature;
    this.configChangedAt = this.now();
    this.devicesList = devices;
    this.locals = [...new Set(devices.filter((d) => d.local >= 0).map((d) => d.local))];
    this.groupList = [...new Set(devices.filter((d) => d.group >= 0).map((d) => d.group))];
    this.wildcard = devices.some((d) => d.local < 0 && !this.links.get(d.ifindex)?.vxlan?.local?.includes(':'));
    const ports = new Map<number, { external: boolean; byVni: Map<number, VxlanDeviceView> }>();
    for (const d of devices) {
      let p = ports.get(d.port);
      if (p === undefined) {
        p = { external: false, byVni: new Map() };
        ports.set(d.port, p);
      }
      p.external ||= d.external;
      if (!p.byVni.has(d.vni)) {
        p.byVni.set(d.vni, d);
      }
    }
    this.portMap = ports;
    return true;
  }
}
