import { fromHex } from '../../../../../libs/wire/test/support/shift-offsets';
import { greErspanVxlanGpe } from '../../../../../libs/wire/test/fixtures/gre-erspan-vxlan-gpe';
import {
  concat,
  encodeErspanII,
  encodeEthernet,
  encodeGreHeader,
  encodeIp,
  encodeIpv6,
  encodeVxlanFrame,
  encodeVxlanPacket,
  ETHERTYPE_IPV6,
  mac,
  type GreSpec,
} from '../../../../../libs/wire/test/support/encode';
import { DEFAULT_INGEST_OPTIONS, Ingest } from './ingest';

const ETH = 1;

describe(Ingest.name, () => {
  const opts = { ...DEFAULT_INGEST_OPTIONS, ringPerVni: 4 };

  it('should count a VXLAN frame under its VNI with inner ethertype, MAC kind, size, VTEP pair and flow', () => {
    const sut = new Ingest(opts);
    const frame = encodeVxlanFrame({ vni: 42, outerSrc: '10.0.0.1', outerDst: '10.0.0.2', innerDst: 'ff:ff:ff:ff:ff:ff' });
    sut.packet(frame, 0, frame.length, frame.length, ETH, 1000);
    sut.packet(frame, 0, frame.length, frame.length, ETH, 2000);
    const r = sut.drain();
    expect(r).toMatchObject({ packets: 2, vxlanPackets: 2, gpePackets: 0, genevePackets: 0, otherPackets: 0, decodeErrors: {} });
    expect(r.vnis['42']).toMatchObject({ packets: 2, bytes: 2 * frame.length, broadcast: 2, unicast: 0, innerEthertypes: { '0x0800': 2 }, ipProtocols: { '17': 2 }, firstSeen: 1000, lastSeen: 2000 });
    expect(r.vtepPairs).toEqual([{ vni: 42, src: '10.0.0.1', dst: '10.0.0.2', dstPort: 4789, packets: 2, bytes: 2 * frame.length, firstSeen: 1000, lastSeen: 2000 }]);
    expect(sut.state(10).topFlows).toEqual([
      expect.objectContaining({ vni: 42, protocol: 17, src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1234, dstPort: 5678, packets: 2 }),
    ]);
  });

  it('should start every counter afresh after a drain', () => {
    const sut = new Ingest(opts);
    const frame = encodeVxlanFrame({ vni: 1 });
    sut.packet(frame, 0, frame.length, frame.length, ETH, 1);
    sut.drain();
    expect(sut.drain()).toMatchObject({ packets: 0, vxlanPackets: 0, vnis: {}, vtepPairs: [] });
  });

  it('should count a frame once under each of its nested VXLAN headers', () => {
    const sut = new Ingest(opts);
    const inner = encodeVxlanPacket({ vni: 3 });
    const middle = encodeVxlanPacket({ vni: 2, payload: inner });
    const outer = encodeVxlanFrame({ vni: 1, payload: middle });
    sut.packet(outer, 0, outer.length, outer.length, ETH, 1);
    const r = sut.drain();
    expect(r.vxlanPackets).toBe(1);
    expect(Object.fromEntries(Object.entries(r.vnis).map(([k, v]) => [k, v.packets]))).toEqual({ '1': 1, '2': 1, '3': 1 });
  });

  it('should count a nested VXLAN header behind more IPv6 extension headers than the inner flow decoder walks', () => {
    const sut = new Ingest(opts);
    const destOpts = Uint8Array.of(0, 0, 1, 4, 0, 0, 0, 0); // PadN option
    const inner = encodeIpv6({
      src: 'fd00::1',
      dst: 'fd00::2',
      protocol: 17,
      extensionHeaders: Array.from({ length: 9 }, () => [60, destOpts] as const),
      payload: encodeVxlanPacket({ vni: 2 }).subarray(20), // the UDP datagram of a VXLAN packet
    });
    const outer = encodeVxlanFrame({ vni: 1, ethertype: ETHERTYPE_IPV6, payload: inner });
    sut.packet(outer, 0, outer.length, outer.length, ETH, 1);
    const r = sut.drain();
    expect(r.vxlanPackets).toBe(1);
    expect(Object.fromEntries(Object.entries(r.vnis).map(([k, v]) => [k, v.packets]))).toEqual({ '1': 1, '2': 1 });
  });

  it('should count the VNI and the error of a frame whose inner Ethernet is cut short', () => {
    const sut = new Ingest(opts);
    const frame = encodeVxlanFrame({ vni: 7 });
    const cut = 14 + 20 + 8 + 8 + 6; // up to half of the inner Ethernet header
    sut.packet(frame, 0, cut, frame.length, ETH, 1);
    const r = sut.drain();
    expect(r.vnis['7'].packets).toBe(1);
    expect(r.decodeErrors).toEqual({ 'ethernet/truncated': 1 });
  });

  it('should report header violations without rejecting the frame', () => {
    const sut = new Ingest(opts);
    const noI = encodeVxlanFrame({ vni: 5, flags: 0x00 });
    const reserved = encodeVxlanFrame({ vni: 5, reserved2: 1 });
    sut.packet(noI, 0, noI.length, noI.length, ETH, 1);
    sut.packet(reserved, 0, reserved.length, reserved.length, ETH, 1);
    expect(sut.drain().vnis['5']).toMatchObject({ packets: 2, noIFlag: 1, reservedBits: 1 });
  });

  it('should decode 8472 only when configured as a VXLAN port', () => {
    const frame = encodeVxlanFrame({ vni: 9, dstPort: 8472 });
    const on = new Ingest({ ...opts, ports: [4789, 8472] });
    const off = new Ingest({ ...opts, ports: [4789] });
    on.packet(frame, 0, frame.length, frame.length, ETH, 1);
    off.packet(frame, 0, frame.length, frame.length, ETH, 1);
    expect(on.drain().vxlanPackets).toBe(1);
    expect(off.drain()).toMatchObject({ vxlanPackets: 0, otherPackets: 1 });
  });

  it('should remember behind which VTEP an inner MAC was seen, and report when it moves', () => {
    const sut = new Ingest(opts);
    const a = encodeVxlanFrame({ vni: 1, outerSrc: '10.0.0.1', innerSrc: '02:00:00:00:00:aa' });
    const b = encodeVxlanFrame({ vni: 1, outerSrc: '10.0.0.3', innerSrc: '02:00:00:00:00:aa' });
    sut.packet(a, 0, a.length, a.length, ETH, 1);
    expect(sut.drainMacs()).toEqual([expect.objectContaining({ vni: 1, mac: '02:00:00:00:00:aa', vtep: '10.0.0.1', moves: 0 })]);
    sut.packet(a, 0, a.length, a.length, ETH, 2);
    expect(sut.drainMacs()).toEqual([]);
    sut.packet(b, 0, b.length, b.length, ETH, 3);
    expect(sut.drainMacs()).toEqual([expect.objectContaining({ vtep: '10.0.0.3', previousVtep: '10.0.0.1', moves: 1 })]);
  });

  it('should keep copies of recent frames that survive the capture buffer being reused', () => {
    const sut = new Ingest(opts);
    const frame = encodeVxlanFrame({ vni: 1 });
    const buf = Buffer.from(frame);
    sut.packet(buf, 0, buf.length, buf.length, ETH, 1);
    buf.fill(0);
    const [kept] = sut.drainPackets();
    expect(Buffer.from(kept.data, 'base64')).toEqual(Buffer.from(frame));
  });

  it('should decode a frame at a non-zero offset inside a larger buffer', () => {
    const sut = new Ingest(opts);
    const frame = encodeVxlanFrame({ vni: 11 });
    const big = new Uint8Array(frame.length + 100).fill(0xee);
    big.set(frame, 60);
    sut.packet(big, 60, frame.length, frame.length, ETH, 1);
    expect(sut.drain().vnis['11'].packets).toBe(1);
  });

  it('should count frames of VNIs beyond its bound instead of growing', () => {
    const sut = new Ingest({ ...opts, maxVnis: 2 });
    for (const vni of [1, 2, 3, 4]) {
      const f = encodeVxlanFrame({ vni });
      sut.packet(f, 0, f.length, f.length, ETH, 1);
    }
    const r = sut.drain();
    expect(Object.keys(r.vnis)).toEqual(['1', '2']);
    expect(r.vniOverflow).toBe(2);
  });

  it('should count ARP requests and replies', () => {
    const sut = new Ingest(opts);
    const arp = (op: number): Uint8Array =>
      encodeVxlanFrame({ vni: 1, ethertype: 0x0806, payload: Uint8Array.of(0, 1, 8, 0, 6, 4, 0, op, ...mac('02:00:00:00:00:01'), 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2) });
    for (const f of [arp(1), arp(2), arp(2)]) {
      sut.packet(f, 0, f.length, f.length, ETH, 1);
    }
    expect(sut.drain().vnis['1']).toMatchObject({ arpRequests: 1, arpReplies: 2, innerEthertypes: { '0x0806': 3 } });
  });

  it('should count non-tunnel frames as other', () => {
    const sut = new Ingest(opts);
    const f = encodeEthernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: 0x0806, payload: new Uint8Array(28) });
    sut.packet(f, 0, f.length, f.length, ETH, 1);
    expect(sut.drain()).toMatchObject({ packets: 1, otherPackets: 1, vxlanPackets: 0 });
  });

  describe('with GRE', () => {
    /** Ethernet → IP (`outerSrc` → `outerDst`) → GRE → `payload`. */
    const gre = (spec: GreSpec, payload: Uint8Array, outerSrc = '198.51.100.1', outerDst = '198.51.100.2'): Uint8Array =>
      encodeEthernet({
        etherType: outerSrc.includes(':') ? 0x86dd : 0x0800,
        payload: encodeIp({ src: outerSrc, dst: outerDst, protocol: 47, payload: concat(encodeGreHeader(spec), payload) }),
      });
    /** A mirrored Ethernet frame carrying VXLAN VNI 42 between 10.0.0.1 and 10.0.0.2 (or `src`/`dst`). */
    const mirroredVxlan = (src = '10.0.0.1', dst = '10.0.0.2'): Uint8Array =>
      encodeEthernet({ etherType: src.includes(':') ? 0x86dd : 0x0800, payload: encodeVxlanPacket({ vni: 42, outerSrc: src, outerDst: dst }) });

    it('should count VXLAN mirrored in ERSPAN with the VTEP pair around the VXLAN header, not the GRE endpoints', () => {
      const sut = new Ingest(opts);
      const frame = gre({ protocolType: 0x88be, sequenceNumber: 1 }, concat(encodeErspanII({ sessionId: 20, index: 1 }), mirroredVxlan()));
      sut.packet(frame, 0, frame.length, frame.length, ETH, 5);
      const r = sut.drain();
      expect(r).toMatchObject({ packets: 1, vxlanPackets: 1, otherPackets: 0, decodeErrors: {} });
      expect(r.vnis['42']).toMatchObject({ packets: 1, innerEthertypes: { '0x0800': 1 } });
      expect(r.vtepPairs).toEqual([{ vni: 42, src: '10.0.0.1', dst: '10.0.0.2', dstPort: 4789, packets: 1, bytes: frame.length, firstSeen: 5, lastSeen: 5 }]);
    });

    it('should take the pair from IPv6 around the VXLAN header under an IPv6 GRE tunnel (ERSPAN Type I)', () => {
      const sut = new Ingest(opts);
      const frame = gre({ protocolType: 0x88be }, mirroredVxlan('fd00::1', 'fd00::2'), '2001:db8::1', '2001:db8::2');
      sut.packet(frame, 0, frame.length, frame.length, ETH, 5);
      const r = sut.drain();
      expect(r).toMatchObject({ vxlanPackets: 1, otherPackets: 0 });
      expect(r.vtepPairs).toEqual([expect.objectContaining({ vni: 42, src: 'fd00::1', dst: 'fd00::2', dstPort: 4789 })]);
    });

    it('should count the Arkime GRE → ERSPAN → VXLAN-GPE frame as VXLAN-GPE', () => {
      const sut = new Ingest(opts);
      const frame = fromHex(greErspanVxlanGpe.hex);
      sut.packet(frame, 0, frame.length, frame.length, ETH, 1);
      expect(sut.drain()).toMatchObject({ packets: 1, gpePackets: 1, vxlanPackets: 0, otherPackets: 0, decodeErrors: {}, vtepPairs: [] });
    });

    it('should count GRE without a tunnel inside (IP in GRE, NVGRE, PPTP) as other, without decode errors', () => {
      const sut = new Ingest(opts);
      const ip = encodeIp({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, payload: Uint8Array.of(0, 53, 0, 53, 0, 8, 0, 0) });
      const frames = [
        gre({ protocolType: 0x0800 }, ip),
        gre({ protocolType: 0x6558, key: 0x00100001 }, encodeEthernet({ etherType: 0x0800, payload: ip })),
        gre({ version: 1, protocolType: 0x880b, key: 4, sequenceNumber: 1 }, Uint8Array.of(0xff, 0x03, 0, 0x21)),
      ];
      for (const f of frames) {
        sut.packet(f, 0, f.length, f.length, ETH, 1);
      }
      expect(sut.drain()).toMatchObject({ packets: 3, otherPackets: 3, vxlanPackets: 0, decodeErrors: {}, vtepPairs: [] });
    });

    it('should count a GRE frame cut inside its header as a GRE decode error', () => {
      const sut = new Ingest(opts);
      const frame = gre({ protocolType: 0x88be, sequenceNumber: 1 }, mirroredVxlan());
      sut.packet(frame, 0, 14 + 20 + 6, frame.length, ETH, 1);
      expect(sut.drain()).toMatchObject({ packets: 1, otherPackets: 1, decodeErrors: { 'gre/truncated': 1 } });
    });
  });

  it('should add the VTEP pair of the outermost VXLAN header once for a frame with nested VXLAN', () => {
    const sut = new Ingest(opts);
    const outer = encodeVxlanFrame({ vni: 1, outerSrc: '10.0.0.1', outerDst: '10.0.0.2', payload: encodeVxlanPacket({ vni: 2, outerSrc: '10.9.0.1', outerDst: '10.9.0.2' }) });
    sut.packet(outer, 0, outer.length, outer.length, ETH, 1);
    expect(sut.drain().vtepPairs).toEqual([expect.objectContaining({ vni: 1, src: '10.0.0.1', dst: '10.0.0.2', packets: 1 })]);
  });
});
