import {
  concat,
  encodeEthernet,
  encodeIpv4,
  encodeUdpPacket,
  encodeVxlanFrame,
  encodeVxlanHeader,
  encodeVxlanPacket,
  ETHERTYPE_IPV4,
} from '../../../../libs/wire/test/support/encode';
import { DEFAULT_INGEST_OPTIONS, Ingest } from '../capture/ingest/ingest';
import type { FdbEntry, LinkInfo } from '../netlink/netlink.types';
import type { WireDetectionRow } from './detect.types';
import { KernelView } from './kernel-view';
import { WireChecker } from './wire-checker';
import { vxlanInfo } from '../netlink/testing/link-builders';

const LOCAL = '10.0.0.1';
const PEER = '10.0.0.2';
const OTHER = '10.0.0.3';
const BOGUS = '10.0.0.250';
const LOCAL_MAC = '02:00:00:00:01:01';
const REMOTE_MAC = '02:00:00:00:02:01';
const STALE_MAC = '02:00:00:00:03:01';
const UNKNOWN_MAC = '02:00:00:00:09:01';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const VIEW_TIME = 1_000;
/** Packet times well after the view's changes (past the grace period). */
const T = 100_000;

function link(ifindex: number, name: string, extra: Partial<LinkInfo> = {}): LinkInfo {
  return { ifindex, name, adminUp: true, lowerUp: true, operstate: 'up', mtu: 1500, ...extra };
}

function vxlan(ifindex: number, o: { vni?: number; port?: number; local?: string | null; learning?: boolean; mtu?: number; group?: string } = {}): LinkInfo {
  return link(ifindex, `vxlan${ifindex}`, {
    kind: 'vxlan',
    mtu: o.mtu ?? 1450,
    vxlan: vxlanInfo({
      vni: o.vni ?? 100,
      dstport: o.port ?? 4789,
      ...(o.local !== null && { local: o.local ?? LOCAL }),
      ...(o.group !== undefined && { group: o.group }),
      underlayIfindex: 2,
      learning: o.learning ?? true,
    }),
  });
}

function fdb(ifindex: number, mac: string, dst: string, isStatic = false): FdbEntry {
  return { ifindex, mac, dst, flags: ['self'], state: isStatic ? ['permanent'] : ['reachable'], isStatic };
}

const LINKS = [link(1, 'lo'), link(2, 'u0'), vxlan(10)];
const FDB = [fdb(10, '00:00:00:00:00:00', PEER, true), fdb(10, REMOTE_MAC, PEER), fdb(10, STALE_MAC, BOGUS, true)];

function setup(links: LinkInfo[] = LINKS, entries: FdbEntry[] = FDB): { view: KernelView; sut: WireChecker; ingest: Ingest } {
  const view = new KernelView(() => VIEW_TIME);
  view.reset(links, entries);
  const sut = new WireChecker(view, [4789, 8472], { now: () => T });
  const ingest = new Ingest({ ...DEFAULT_INGEST_OPTIONS, ports: [4789, 8472] });
  ingest.observe(sut);
  return { view, sut, ingest };
}

function feed(ingest: Ingest, frame: Uint8Array, ts = T): void {
  ingest.packet(frame, 0, frame.length, frame.length, 1, ts);
}

/** An inner IPv4/UDP packet of exactly `bytes` bytes. */
function innerPacket(bytes: number): Uint8Array {
  return encodeUdpPacket({ src: '172.16.0.1', dst: '172.16.0.2', srcPort: 1, dstPort: 2, payload: new Uint8Array(bytes - 28) });
}

const out = (o: { dst?: string; innerDst?: string; vni?: number; bytes?: number; port?: number }): Uint8Array =>
  encodeVxlanFrame({
    outerSrc: LOCAL,
    outerDst: o.dst ?? PEER,
    dstPort: o.port ?? 4789,
    vni: o.vni ?? 100,
    innerSrc: LOCAL_MAC,
    innerDst: o.innerDst ?? REMOTE_MAC,
    payload: o.bytes !== undefined ? innerPacket(o.bytes) : undefined,
  });

const inbound = (o: { src?: string; innerSrc?: string; vni?: number; bytes?: number; port?: number; flags?: number; reserved2?: number }): Uint8Array =>
  encodeVxlanFrame({
    outerSrc: o.src ?? PEER,
    outerDst: LOCAL,
    dstPort: o.port ?? 4789,
    vni: o.vni ?? 100,
    flags: o.flags,
    reserved2: o.reserved2,
    innerSrc: o.innerSrc ?? REMOTE_MAC,
    innerDst: LOCAL_MAC,
    payload: o.bytes !== undefined ? innerPacket(o.bytes) : undefined,
  });

const brief = (rows: readonly WireDetectionRow[]): object[] =>
  rows.map(({ kind, reason, vni, vtep, mac, count }) => ({ kind, reason, vni, vtep, mac, count }));

describe(WireChecker.name, () => {
  it('should find nothing in healthy traffic both ways, at exactly the MTU, flooded broadcast included', () => {
    const { sut, ingest } = setup();
    feed(ingest, out({}));
    feed(ingest, out({ innerDst: BROADCAST }));
    feed(ingest, out({ bytes: 1450 }));
    feed(ingest, inbound({}));
    feed(ingest, inbound({ bytes: 1450 }));
    feed(ingest, inbound({ innerSrc: '02:00:00:00:07:01' })); // a new remote MAC: the kernel learns it
    // Transit: neither end is local (an underlay switch flooding before it learned).
    feed(ingest, encodeVxlanFrame({ outerSrc: PEER, outerDst: OTHER, vni: 999 }));
    expect(sut.drain()).toEqual([]);
  });

  it('should report an outbound frame sent to another VTEP than its FDB entry (misdirected)', () => {
    const { sut, ingest } = setup();
    feed(ingest, out({ dst: OTHER }));
    feed(ingest, out({ dst: OTHER }), T + 5);
    const rows = sut.drain();
    expect(brief(rows)).toEqual([{ kind: 'misdirected', reason: 'wrong-vtep', vni: 100, vtep: OTHER, mac: REMOTE_MAC, count: 2 }]);
    expect(rows[0]).toMatchObject({ firstSeen: T, lastSeen: T + 5 });
    expect(rows[0].detail).toContain(`its FDB entry sends it to ${PEER}`);
  });

  it('should report a MAC arriving from a VTEP its static FDB entry does not name (stale entry)', () => {
    const { sut, ingest } = setup();
    feed(ingest, inbound({ innerSrc: STALE_MAC }));
    const rows = sut.drain();
    expect(brief(rows)).toEqual([{ kind: 'misdirected', reason: 'stale-entry', vni: 100, vtep: PEER, mac: STALE_MAC, count: 1 }]);
    expect(rows[0].detail).toContain('VXLAN_ENTRY_EXISTS');
  });

  it('should report unknown unicast flooded to the default destinations', () => {
    const { sut, ingest } = setup();
    feed(ingest, out({ innerDst: UNKNOWN_MAC }));
    expect(brief(sut.drain())).toEqual([{ kind: 'unknown-unicast', reason: 'flooded', vni: 100, vtep: PEER, mac: UNKNOWN_MAC, count: 1 }]);
  });

  it('should not call a reply flooded when the kernel learned its MAC from an earlier inbound frame the view has not caught up with', () => {
    const { sut, ingest } = setup();
    feed(ingest, inbound({ innerSrc: UNKNOWN_MAC }), T - 1);
    feed(ingest, out({ innerDst: UNKNOWN_MAC }));
    expect(sut.drain()).toEqual([]);
  });

  it('should still report flooding when learning is off, whatever arrived before', () => {
    const { sut, ingest } = setup([link(2, 'u0'), vxlan(10, { learning: false })]);
    feed(ingest, inbound({ innerSrc: UNKNOWN_MAC }), T - 1);
    feed(ingest, out({ innerDst: UNKNOWN_MAC }));
    expect(brief(sut.drain())).toEqual([{ kind: 'unknown-unicast', reason: 'flooded', vni: 100, vtep: PEER, mac: UNKNOWN_MAC, count: 1 }]);
  });

  it('should report inbound VXLAN for a VNI no local device carries', () => {
    const { sut, ingest } = setup();
    feed(ingest, inbound({ vni: 101 }));
    const rows = sut.drain();
    expect(brief(rows)).toEqual([{ kind: 'unknown-vni', reason: 'no-device', vni: 101, vtep: PEER, mac: undefined, count: 1 }]);
    expect(rows[0].detail).toContain('local VNIs on that port: 100');
  });

  it('should report inbound VXLAN on a port no local device listens on', () => {
    const { sut, ingest } = setup();
    feed(ingest, inbound({ port: 8472 }));
    const rows = sut.drain();
    expect(brief(rows)).toEqual([{ kind: 'port-mismatch', reason: 'no-listener', vni: 100, vtep: PEER, mac: undefined, count: 1 }]);
    expect(rows[0].detail).toContain('to UDP port 8472: local vxlan devices listen on 4789');
  });

  it('should report inner packets larger than the device MTU, but not GSO super-packets above the underlay MTU', () => {
    const { sut, ingest } = setup([link(2, 'u0'), vxlan(10, { mtu: 1400 })]);
    feed(ingest, inbound({ bytes: 1401 }));
    feed(ingest, out({ bytes: 1450 })); // outer 1500: fits the underlay, so it went out as one frame
    feed(ingest, inbound({ bytes: 1451 })); // outer 1501 on a 1500 underlay: GRO-merged, not one frame
    feed(ingest, out({ bytes: 9000 })); // GSO: segmented after the capture point
    const rows = sut.drain();
    expect(brief(rows)).toEqual([{ kind: 'mtu', reason: 'inner-too-large', vni: 100, vtep: PEER, mac: undefined, count: 2 }]);
    expect(rows[0].detail).toBe(`inner packets of 1450 bytes (VNI 100, VTEP ${PEER}) exceed the MTU 1400 of vxlan10`);
  });

  it('should count outer IPv4 fragments of VXLAN, first and later ones, and no other UDP fragment', () => {
    const { sut, ingest } = setup();
    const inner = encodeEthernet({ src: LOCAL_MAC, dst: REMOTE_MAC, etherType: ETHERTYPE_IPV4, payload: innerPacket(1400) });
    const first = encodeUdpPacket({ src: LOCAL, dst: PEER, srcPort: 40000, dstPort: 4789, payload: concat(encodeVxlanHeader(100), inner), fragmentWord: 0x2000 });
    const eth = (p: Uint8Array): Uint8Array => encodeEthernet({ etherType: ETHERTYPE_IPV4, payload: p });
    feed(ingest, eth(first));
    feed(ingest, eth(encodeIpv4({ src: LOCAL, dst: PEER, protocol: 17, payload: new Uint8Array(100), fragmentWord: 0x00b9 })));
    const unrelated = encodeIpv4({ src: OTHER, dst: PEER, protocol: 17, payload: new Uint8Array(100), fragmentWord: 0x00b9 });
    feed(ingest, eth(unrelated));
    expect(brief(sut.drain())).toEqual([{ kind: 'mtu', reason: 'outer-fragment', vni: 100, vtep: PEER, mac: undefined, count: 2 }]);
  });

  it('should report ICMP fragmentation needed toward a local VTEP about its VXLAN', () => {
    const { sut, ingest } = setup();
    const quoted = encodeVxlanPacket({ outerSrc: LOCAL, outerDst: PEER, vni: 100 }).subarray(0, 20 + 8 + 8);
    const icmp = concat(Uint8Array.of(3, 4, 0, 0, 0, 0, 0x05, 0x78), quoted);
    feed(ingest, encodeEthernet({ etherType: ETHERTYPE_IPV4, payload: encodeIpv4({ src: '10.0.9.1', dst: LOCAL, protocol: 1, payload: icmp }) }));
    const rows = sut.drain();
    expect(brief(rows)).toEqual([{ kind: 'mtu', reason: 'icmp-frag-needed', vni: 100, vtep: PEER, mac: undefined, count: 1 }]);
    expect(rows[0].detail).toContain('from 10.0.9.1');
    expect(rows[0].detail).toContain('next-hop MTU 1400');
  });

  it('should report header violations: the I flag missing and reserved bits set', () => {
    const { sut, ingest } = setup();
    feed(ingest, inbound({ flags: 0x00 }));
    feed(ingest, inbound({ reserved2: 0x01 }));
    const rows = sut.drain();
    expect(brief(rows)).toEqual([
      { kind: 'header', reason: 'no-i-flag', vni: 100, vtep: PEER, mac: undefined, count: 1 },
      { kind: 'header', reason: 'reserved-bits', vni: 100, vtep: PEER, mac: undefined, count: 1 },
    ]);
    expect(rows[0].detail).toContain('VXLAN_INVALID_HDR');
  });

  it('should not judge frames within the grace period after the kernel state changed', () => {
    const { view, sut, ingest } = setup();
    let now = T;
    const fresh = new KernelView(() => now);
    fresh.reset(LINKS, FDB);
    const checker = new WireChecker(fresh, [4789], { now: () => now });
    ingest.observe(checker);
    feed(ingest, out({ dst: OTHER }), T + 10); // the route was just (re)read
    feed(ingest, inbound({ vni: 101 }), T + 10); // the devices were just read
    expect(checker.drain()).toEqual([]);
    now = T + 60_000;
    feed(ingest, out({ dst: OTHER }), now);
    expect(brief(checker.drain())).toEqual([{ kind: 'misdirected', reason: 'wrong-vtep', vni: 100, vtep: OTHER, mac: REMOTE_MAC, count: 1 }]);
    expect(view.empty).toBe(false);
    expect(sut.drain()).toEqual([]);
  });

  it('should stay silent with no vxlan device to compare against', () => {
    const { sut, ingest } = setup([link(2, 'u0')], []);
    feed(ingest, inbound({ vni: 5 }));
    feed(ingest, out({ dst: OTHER }));
    expect(sut.drain()).toEqual([]);
  });

  it('should count many keys without growing past its table, and start afresh after a drain', () => {
    const { sut, ingest } = setup();
    for (let vni = 1000; vni < 3000; vni++) {
      feed(ingest, inbound({ vni }));
    }
    const rows = sut.drain();
    expect(rows.length).toBeLessThanOrEqual(1024);
    expect(sut.overflow).toBe(2000 - rows.length);
    expect(sut.drain()).toEqual([]);
  });
});
