import {
  ETHERTYPE_IPV4,
  ETHERTYPE_QINQ,
  ETHERTYPE_VLAN,
  formatIpv4,
  IP_PROTOCOL_ICMP,
  IP_PROTOCOL_UDP,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  type VxlanFrameInfo,
} from '@vx/wire';

import type { FrameObserver } from '../capture/ingest/ingest';
import type { WireDetectionRow } from './detect.types';
import { DetectionTable, KIND, REASON, type DetectionCell } from './detection-table';
import { formatMacNumber, macAt, type KernelView, type VxlanDeviceView } from './kernel-view';

/**
 * How long after the kernel state changed (as this view saw it) frames are not judged against it:
 * libpcap hands packets over in batches, so a frame sent just before a change may be read after
 * the netlink event that announced it.
 */
export const WIRE_GRACE_MS = 1000;
/** Inbound sightings (MAC behind a VTEP, before the view had the learned entry) are kept this long. */
const SIGHTING_MS = 2 * WIRE_GRACE_MS;
const MAX_SIGHTINGS = 4096;
const FRAGMENT_RING = 16;

const ICMP_DEST_UNREACHABLE = 3;
const ICMP_FRAG_NEEDED = 4;
const IP_MF = 0x2000;
const IP_OFFSET_MASK = 0x1fff;
/** Outer UDP + VXLAN headers: the inner frame is the UDP length minus these. */
const UDP_VXLAN_HEADERS = 16;

function includes(list: readonly number[], x: number): boolean {
  for (let i = 0; i < list.length; i++) {
    if (list[i] === x) {
      return true;
    }
  }
  return false;
}

function u16(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

function u32(buf: Uint8Array, off: number): number {
  return buf[off] * 0x1000000 + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
}

/**
 * The wire checked against the kernel, one frame at a time, for one capture interface: every
 * decoded frame is classified against the collector's KernelView (outbound when its outer source
 * is a local VTEP, inbound when its outer destination is a local VTEP or group) and what disagrees
 * is counted per (kind, VNI, VTEP, MAC). Called from the ingest hot path: numbers only, no
 * allocation in the steady state, strings only in drain(). IPv4 underlays only, except the header
 * checks.
 */
export class WireChecker implements FrameObserver {
  private readonly table = new DetectionTable(1024);
  /** VNI → inner source MAC → [VTEP, time] seen inbound while the view lacked that route. */
  private sightings = new Map<number, Map<number, number>>();
  private sightingVteps = new Map<number, Map<number, number>>();
  private sightingCount = 0;
  /** First fragments of VXLAN datagrams: (source, IP ID) → VNI and peer, for the later fragments. */
  private readonly fragSrc = new Float64Array(FRAGMENT_RING).fill(-1);
  private readonly fragId = new Int32Array(FRAGMENT_RING);
  private readonly fragVni = new Int32Array(FRAGMENT_RING);
  private readonly fragPeer = new Float64Array(FRAGMENT_RING);
  private fragNext = 0;
  private readonly vxlanPorts: readonly number[];

  private readonly graceMs: number;
  private readonly now: () => number;

  /** `ports`: the UDP ports captured as VXLAN (an ICMP error quoting one of them is about VXLAN). */
  constructor(
    private readonly view: KernelView,
    ports: readonly number[],
    options: { readonly graceMs?: number; readonly now?: () => number } = {},
  ) {
    this.vxlanPorts = [...ports];
    this.graceMs = options.graceMs ?? WIRE_GRACE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Occurrences not counted because the table was full. */
  get overflow(): number {
    return this.table.overflow;
  }

  vxlan(buf: Uint8Array, offset: number, f: VxlanFrameInfo, tsMs: number): void {
    const v4 = f.outerIpVersion === 4;
    if (!f.vniValid) {
      this.table.add(KIND.header, REASON['no-i-flag'], f.vni, v4 ? f.outerSrc4 : -1, -1, -1, f.flags, tsMs);
      // The kernel rejects the header before it looks at the VNI: nothing more to compare.
      return;
    }
    if (f.reservedBitsSet) {
      this.table.add(KIND.header, REASON['reserved-bits'], f.vni, v4 ? f.outerSrc4 : -1, -1, -1, f.flags, tsMs);
    }
    const view = this.view;
    if (!v4 || view.empty) {
      return;
    }
    const src = f.outerSrc4;
    const dst = f.outerDst4;
    const ip = f.outerSrcOffset - 12;
    const outbound = view.isLocal(src);
    if ((buf[ip + 6] & (IP_MF >> 8)) !== 0) {
      this.firstFragment(buf, ip, f.vni, outbound ? dst : src, tsMs);
    }
    if (outbound) {
      this.outbound(buf, offset, f, ip, tsMs);
    } else if (view.isLocalOrGroup(dst) || view.wildcardLocal) {
      this.inbound(buf, offset, f, ip, tsMs);
    }
  }

  other(buf: Uint8Array, offset: number, caplen: number, linkType: number, tsMs: number): void {
    const view = this.view;
    if (view.empty) {
      return;
    }
    const end = offset + caplen < buf.length ? offset + caplen : buf.length;
    let pos = offset;
    let etherType: number;
    if (linkType === LINKTYPE_ETHERNET) {
      if (end - pos < 14) {
        return;
      }
      etherType = u16(buf, pos + 12);
      pos += 14;
      while (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) {
        if (end - pos < 4) {
          return;
        }
        etherType = u16(buf, pos + 2);
        pos += 4;
      }
    } else if (linkType === LINKTYPE_LINUX_SLL) {
      if (end - pos < 16) {
        return;
      }
      etherType = u16(buf, pos + 14);
      pos += 16;
    } else if (linkType === LINKTYPE_LINUX_SLL2) {
      if (end - pos < 20) {
        return;
      }
      etherType = u16(buf, pos);
      pos += 20;
    } else {
      return;
    }
    if (etherType !== ETHERTYPE_IPV4 || end - pos < 20 || buf[pos] >> 4 !== 4) {
      return;
    }
    const ihl = (buf[pos] & 0x0f) << 2;
    const protocol = buf[pos + 9];
    if (protocol === IP_PROTOCOL_UDP && (u16(buf, pos + 6) & IP_OFFSET_MASK) !== 0) {
      this.laterFragment(buf, pos, tsMs);
    } else if (protocol === IP_PROTOCOL_ICMP && ihl >= 20 && end - pos >= ihl + 8 + 20) {
      this.icmp(buf, pos, ihl, end, tsMs);
    }
  }

  /** Everything counted since the previous drain, as rows for the daemon. */
  drain(): WireDetectionRow[] {
    this.pruneSightings();
    this.view.prune();
    return this.table.drain().map((c) => this.row(c));
  }

  private outbound(buf: Uint8Array, offset: number, f: VxlanFrameInfo, ip: number, tsMs: number): void {
    const view = this.view;
    const vni = f.vni;
    const dst = f.outerDst4;
    const dev = view.sender(vni, f.outerSrc4);
    if (dev === undefined) {
      return;
    }
    if (tsMs >= view.configChangedAt + this.graceMs) {
      this.innerSize(buf, offset, f, ip, dev, dst, tsMs);
    }
    const d = f.innerDstMacOffset;
    if (d < 0 || (buf[d] & 1) !== 0) {
      return;
    }
    const macHi = (buf[d] << 8) | buf[d + 1];
    const macLo = (buf[d + 2] << 24) | (buf[d + 3] << 16) | (buf[d + 4] << 8) | buf[d + 5];
    const route = view.routeAt(vni, macHi, macLo);
    if (route !== undefined) {
      const dsts = route.dsts;
      if (dsts.length === 0 || includes(dsts, dst) || tsMs < route.changedAt + this.graceMs) {
        return;
      }
      const mac = macAt(buf, d);
      if (dev.learning && this.sightedBehind(vni, mac, dst, tsMs)) {
        return; // the MAC moved to `dst` and the kernel learned it before this view did
      }
      this.table.add(KIND.misdirected, REASON['wrong-vtep'], vni, dst, mac, dsts[0], -1, tsMs);
      return;
    }
    const floods = view.floods(vni);
    if (floods === undefined || !includes(floods, dst)) {
      return;
    }
    const mac = macAt(buf, d);
    if (tsMs < view.removedAt(vni, mac) + this.graceMs) {
      return;
    }
    if (dev.learning && this.sightedBehind(vni, mac, -1, tsMs)) {
      return; // learned from an inbound frame the kernel saw before this one; the view lags
    }
    this.table.add(KIND['unknown-unicast'], REASON.flooded, vni, dst, mac, -1, -1, tsMs);
  }

  private inbound(buf: Uint8Array, offset: number, f: VxlanFrameInfo, ip: number, tsMs: number): void {
    const view = this.view;
    const src = f.outerSrc4;
    const vni = f.vni;
    if (tsMs < view.configChangedAt + this.graceMs) {
      return;
    }
    const listeners = view.listeners(f.dstPort);
    if (listeners === undefined) {
      this.table.add(KIND['port-mismatch'], REASON['no-listener'], vni, src, -1, f.dstPort, -1, tsMs);
      return;
    }
    const dev = listeners.byVni.get(vni);
    if (dev === undefined) {
      if (!listeners.external) {
        this.table.add(KIND['unknown-vni'], REASON['no-device'], vni, src, -1, f.dstPort, -1, tsMs);
      }
      return;
    }
    this.innerSize(buf, offset, f, ip, dev, src, tsMs);
    const s = f.innerSrcMacOffset;
    if (s < 0 || (buf[s] & 1) !== 0) {
      return;
    }
    const route = view.routeAt(vni, (buf[s] << 8) | buf[s + 1], (buf[s + 2] << 24) | (buf[s + 3] << 16) | (buf[s + 4] << 8) | buf[s + 5]);
    if (route !== undefined && (route.dsts.length === 0 || includes(route.dsts, src))) {
      return; // the steady state: the FDB sends this MAC back where it came from
    }
    const mac = macAt(buf, s);
    if (route !== undefined && (route.isStatic || !dev.learning)) {
      // The kernel will not move this entry: a static one makes it drop the frame (VXLAN_ENTRY_EXISTS).
      if (tsMs >= route.changedAt + this.graceMs) {
        this.table.add(KIND.misdirected, REASON['stale-entry'], vni, src, mac, route.dsts[0], route.isStatic ? 1 : 0, tsMs);
      }
      return;
    }
    if (dev.learning) {
      this.sight(vni, mac, src, tsMs);
    }
  }

  /** Inner packet larger than the device MTU. A frame above the underlay MTU is a GSO/GRO super-packet and is skipped. */
  private innerSize(buf: Uint8Array, offset: number, f: VxlanFrameInfo, ip: number, dev: VxlanDeviceView, peer: number, tsMs: number): void {
    if (f.innerPayloadOffset < 0 || u16(buf, ip + 2) > dev.underlayMtu) {
      return;
    }
    const udpLength = u16(buf, f.vxlanOffset - 4);
    const innerFrame = udpLength >= UDP_VXLAN_HEADERS ? udpLength - UDP_VXLAN_HEADERS : f.wireLength - (f.innerOffset - offset);
    const innerPacket = innerFrame - (f.innerPayloadOffset - f.innerOffset);
    if (innerPacket > dev.mtu) {
      this.table.add(KIND.mtu, REASON['inner-too-large'], f.vni, peer, -1, dev.ifindex, innerPacket, tsMs);
    }
  }

  private firstFragment(buf: Uint8Array, ip: number, vni: number, peer: number, tsMs: number): void {
    const i = this.fragNext;
    this.fragNext = (i + 1) % FRAGMENT_RING;
    this.fragSrc[i] = u32(buf, ip + 12);
    this.fragId[i] = u16(buf, ip + 4);
    this.fragVni[i] = vni;
    this.fragPeer[i] = peer;
    this.table.add(KIND.mtu, REASON['outer-fragment'], vni, peer, -1, -1, u16(buf, ip + 2), tsMs);
  }

  /** A later fragment counts when it continues a VXLAN first fragment seen here (it has no UDP header of its own). */
  private laterFragment(buf: Uint8Array, ip: number, tsMs: number): void {
    const src = u32(buf, ip + 12);
    const id = u16(buf, ip + 4);
    for (let i = 0; i < FRAGMENT_RING; i++) {
      if (this.fragSrc[i] === src && this.fragId[i] === id) {
        this.table.add(KIND.mtu, REASON['outer-fragment'], this.fragVni[i], this.fragPeer[i], -1, -1, u16(buf, ip + 2), tsMs);
        return;
      }
    }
  }

  /** RFC 792 Destination Unreachable / Fragmentation Needed (RFC 1191 next-hop MTU) about a local VTEP's VXLAN. */
  private icmp(buf: Uint8Array, ip: number, ihl: number, end: number, tsMs: number): void {
    const view = this.view;
    const icmp = ip + ihl;
    if (buf[icmp] !== ICMP_DEST_UNREACHABLE || buf[icmp + 1] !== ICMP_FRAG_NEEDED) {
      return;
    }
    const to = u32(buf, ip + 16);
    const q = icmp + 8;
    const qihl = (buf[q] & 0x0f) << 2;
    if (buf[q + 9] !== IP_PROTOCOL_UDP || qihl < 20 || end - q < qihl + 4) {
      return;
    }
    const qsrc = u32(buf, q + 12);
    const local = view.wildcardLocal || (view.isLocal(to) && view.isLocal(qsrc));
    const port = u16(buf, q + qihl + 2);
    if (!local || !(view.listeners(port) !== undefined || includes(this.vxlanPorts, port))) {
      return;
    }
    const h = q + qihl + 8;
    const vni = end - h >= 8 ? (buf[h + 4] << 16) | (buf[h + 5] << 8) | buf[h + 6] : -1;
    this.table.add(KIND.mtu, REASON['icmp-frag-needed'], vni, u32(buf, q + 16), -1, u32(buf, ip + 12), u16(buf, icmp + 6), tsMs);
  }

  private sight(vni: number, mac: number, vtep: number, tsMs: number): void {
    let byMac = this.sightings.get(vni);
    let vteps = this.sightingVteps.get(vni);
    if (byMac === undefined || vteps === undefined) {
      if (this.sightingCount >= MAX_SIGHTINGS) {
        return;
      }
      byMac = new Map();
      vteps = new Map();
      this.sightings.set(vni, byMac);
      this.sightingVteps.set(vni, vteps);
    }
    if (!byMac.has(mac)) {
      if (this.sightingCount >= MAX_SIGHTINGS) {
        return;
      }
      this.sightingCount++;
    }
    byMac.set(mac, tsMs);
    vteps.set(mac, vtep);
  }

  /** Whether `mac` was seen arriving (from `vtep`, or from anywhere when -1) before `tsMs`. */
  private sightedBehind(vni: number, mac: number, vtep: number, tsMs: number): boolean {
    const at = this.sightings.get(vni)?.get(mac);
    if (at === undefined || at > tsMs) {
      return false;
    }
    return vtep < 0 || this.sightingVteps.get(vni)?.get(mac) === vtep;
  }

  private pruneSightings(): void {
    if (this.sightingCount === 0) {
      return;
    }
    const limit = this.now() - SIGHTING_MS;
    let kept = 0;
    for (const [vni, byMac] of this.sightings) {
      const vteps = this.sightingVteps.get(vni);
      for (const [mac, at] of byMac) {
        if (at < limit) {
          byMac.delete(mac);
          vteps?.delete(mac);
        } else {
          kept++;
        }
      }
      if (byMac.size === 0) {
        this.sightings.delete(vni);
        this.sightingVteps.delete(vni);
      }
    }
    this.sightingCount = kept;
  }

  private row(c: DetectionCell): WireDetectionRow {
    const vtep = c.vtep >= 0 ? formatIpv4(c.vtep) : undefined;
    const mac = c.mac >= 0 ? formatMacNumber(c.mac) : undefined;
    const vniText = c.vni >= 0 ? `VNI ${c.vni}` : 'unknown VNI';
    const base = {
      kind: c.kind,
      reason: c.reason,
      ...(c.vni >= 0 && { vni: c.vni }),
      ...(vtep !== undefined && { vtep }),
      ...(mac !== undefined && { mac }),
      count: c.count,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
    };
    return { ...base, detail: this.describe(c, vtep ?? 'an unknown VTEP', mac ?? '', vniText) };
  }

  private describe(c: DetectionCell, vtep: string, mac: string, vni: string): string {
    const aux = c.aux >= 0 ? formatIpv4(c.aux) : '?';
    switch (c.reason) {
      case 'wrong-vtep':
        return `${mac} (${vni}) was sent to VTEP ${vtep}, but its FDB entry sends it to ${aux}`;
      case 'stale-entry':
        return c.sample === 1
          ? `${mac} (${vni}) arrives from VTEP ${vtep}, but a static FDB entry sends it to ${aux}: the kernel drops these frames (VXLAN_ENTRY_EXISTS)`
          : `${mac} (${vni}) arrives from VTEP ${vtep}, but its FDB entry sends it to ${aux} and learning is off`;
      case 'flooded':
        return `${mac} (${vni}) has no FDB entry: unknown unicast flooded to VTEP ${vtep}`;
      case 'no-device': {
        const carried = [...(this.view.listeners(c.aux)?.byVni.keys() ?? [])].join(', ') || 'none';
        return `${vni} from VTEP ${vtep} on UDP port ${c.aux}: no local vxlan device carries it (local VNIs on that port: ${carried}); the kernel drops it (VXLAN_VNI_NOT_FOUND)`;
      }
      case 'no-listener':
        return `VXLAN (${vni}) from VTEP ${vtep} to UDP port ${c.aux}: local vxlan devices listen on ${this.view.portsListening().join(', ') || 'no port'}`;
      case 'inner-too-large': {
        const dev = this.view.devices.find((d) => d.ifindex === c.aux);
        const name = dev?.name ?? this.view.deviceName(c.aux) ?? `ifindex ${c.aux}`;
        return `inner packets of ${c.sample} bytes (${vni}, VTEP ${vtep}) exceed the MTU ${dev?.mtu ?? '?'} of ${name}`;
      }
      case 'outer-fragment':
        return `outer IPv4 fragments of VXLAN (${vni}) with VTEP ${vtep} (last fragment ${c.sample} bytes): the underlay MTU is below the overlay frame size`;
      case 'icmp-frag-needed':
        return `ICMP fragmentation needed from ${aux} for VXLAN to VTEP ${vtep} (${vni}): next-hop MTU ${c.sample}`;
      case 'no-i-flag':
        return `VXLAN header from ${vtep} without the I flag (flags 0x${c.sample.toString(16).padStart(2, '0')}, RFC 7348 §5): the kernel drops it (VXLAN_INVALID_HDR)`;
      case 'reserved-bits':
        return `VXLAN header from ${vtep} (${vni}) with reserved bits set (flags 0x${c.sample.toString(16).padStart(2, '0')}): the kernel drops it (VXLAN_INVALID_HDR) unless an extension such as GBP is on`;
    }
  }
}
