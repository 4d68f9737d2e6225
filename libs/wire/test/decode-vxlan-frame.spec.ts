// decodeVxlanFrame on frames built with encodeVxlanFrame(): the cases no golden capture has
// (GBP, inner 802.1Q/802.1ad, IPv6 extension headers, fragments, Linux cooked headers, port rules),
// cross-checked against tshark where tshark has an opinion.
import {
  createVxlanFrameInfo,
  decodePacket,
  decodeVxlanFrame,
  formatIpv6,
  formatMac,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  MAX_NESTED_VXLAN,
  PortRegistry,
  type VxlanFrameInfo,
} from '@vx/wire';

import { scratchDir, tsharkFields } from './support/capture-io';
import {
  concat,
  encodeEthernet,
  encodeIcmpv6Echo,
  encodeIp,
  encodeSll,
  encodeSll2,
  encodeUdpPacket,
  encodeVxlanFrame,
  encodeVxlanHeader,
  encodeVxlanPacket,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
} from './support/encode';
import { writePcap } from './support/pcap-writer';

const ports = new PortRegistry([4789, 8472]);

function decode(frame: Uint8Array, linkType = LINKTYPE_ETHERNET, registry = ports): [boolean, VxlanFrameInfo] {
  const sut = createVxlanFrameInfo();
  return [decodeVxlanFrame(frame, 0, frame.length, linkType, registry, sut), sut];
}

const HOP_BY_HOP = Uint8Array.of(0, 0, 1, 4, 0, 0, 0, 0); // PadN option
const DEST_OPTS = Uint8Array.of(0, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); // 16 bytes
const FIRST_FRAGMENT = Uint8Array.of(0, 0, 0x00, 0x01, 0, 0, 0x12, 0x34); // offset 0, M=1
const LATER_FRAGMENT = Uint8Array.of(0, 0, 0x05, 0x00, 0, 0, 0x12, 0x34); // offset 1280

describe(decodeVxlanFrame.name, () => {
  it('should decode a frame built with the test encoder', () => {
    const frame = encodeVxlanFrame({ vni: 42, innerSrc: '02:aa:00:00:00:01', innerDst: '02:aa:00:00:00:02' });

    const [ok, sut] = decode(frame);

    expect(ok).toBe(true);
    expect(sut).toMatchObject({
      outerIpVersion: 4,
      outerSrc4: 0xc0000201,
      outerDst4: 0xc0000202,
      srcPort: 54321,
      dstPort: 4789,
      flags: 0x08,
      vniValid: true,
      reservedBitsSet: false,
      vni: 42,
      groupPolicyId: -1,
      innerOffset: 50,
      innerLength: 14 + 20 + 8 + 2,
      innerEtherType: ETHERTYPE_IPV4,
      wireLength: frame.length,
      truncated: false,
      error: undefined,
    });
    expect(formatMac(frame, sut.innerSrcMacOffset)).toBe('02:aa:00:00:00:01');
    expect(formatMac(frame, sut.innerDstMacOffset)).toBe('02:aa:00:00:00:02');
  });

  it('should report the VXLAN-GBP G, D and A bits and the Group Policy ID', () => {
    // draft-smith-vxlan-group-policy: G=0x80 in the flags, D=0x40 and A=0x08 in the next byte.
    const frame = encodeVxlanFrame({ vni: 7, flags: 0x88, reserved1: (0x48 << 16) | 0x1234 });

    const [ok, sut] = decode(frame);
    const vxlan = decodePacket(frame, 0, frame.length, LINKTYPE_ETHERNET, ports)[3];

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ flags: 0x88, vniValid: true, reservedBitsSet: true, vni: 7, groupPolicyId: 0x1234 });
    expect(vxlan.header).toMatchObject({
      groupBasedPolicy: true,
      dontLearn: true,
      policyApplied: true,
      groupPolicyId: 0x1234,
    });
  });

  it('should decode a frame without the I flag and report the VNI as not valid', () => {
    const [ok, sut] = decode(encodeVxlanFrame({ vni: 9, flags: 0x00 }));

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ vniValid: false, reservedBitsSet: false, vni: 9 });
  });

  it('should report non-zero reserved bits without rejecting the frame', () => {
    const [ok, sut] = decode(encodeVxlanFrame({ vni: 11, reserved2: 1 }));

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ vniValid: true, reservedBitsSet: true, vni: 11, groupPolicyId: -1 });
  });

  it('should skip inner 802.1Q and 802.1ad tags and report the first VID', () => {
    const [, dot1q] = decode(encodeVxlanFrame({ vni: 1, innerVlans: [100], ethertype: ETHERTYPE_IPV6 }));
    const [, qinq] = decode(encodeVxlanFrame({ vni: 1, innerVlans: [200, 300], innerTpid: 0x88a8 }));

    expect(dot1q).toMatchObject({ innerVlanId: 100, innerEtherType: ETHERTYPE_IPV6, innerPayloadOffset: 50 + 18 });
    expect(qinq).toMatchObject({ innerVlanId: 200, innerEtherType: ETHERTYPE_IPV4, innerPayloadOffset: 50 + 22 });
  });

  it('should skip outer VLAN tags and report the first outer VID', () => {
    const [ok, sut] = decode(encodeVxlanFrame({ vni: 5, outerVlans: [10, 20] }));

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ outerVlanId: 10, vni: 5, outerSrcOffset: 14 + 8 + 12 });
  });

  it('should decode an IPv6 underlay and give the address offsets', () => {
    const frame = encodeVxlanFrame({ vni: 77, outerSrc: '2001:db8::1', outerDst: '2001:db8::2' });

    const [ok, sut] = decode(frame);

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ outerIpVersion: 6, outerSrc4: 0, outerDst4: 0, vni: 77, wireLength: frame.length });
    expect(formatIpv6(frame, sut.outerSrcOffset)).toBe('2001:db8::1');
    expect(formatIpv6(frame, sut.outerDstOffset)).toBe('2001:db8::2');
  });

  it('should walk IPv6 hop-by-hop, destination options and a first fragment header to reach UDP', () => {
    const packet = encodeUdpPacket({
      src: '2001:db8::1',
      dst: '2001:db8::2',
      srcPort: 1000,
      dstPort: 4789,
      payload: concat(encodeVxlanHeader(3), encodeEthernet({ etherType: ETHERTYPE_IPV4, payload: new Uint8Array(0) })),
    });
    // Re-encode with extension headers between the IPv6 header and UDP.
    const udp = packet.subarray(40);
    const withExt = encodeIpv6WithExtensions(udp, [
      [0, HOP_BY_HOP],
      [60, DEST_OPTS],
      [44, FIRST_FRAGMENT],
    ]);

    const [ok, sut] = decode(encodeEthernet({ etherType: ETHERTYPE_IPV6, payload: withExt }));

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ vni: 3, vxlanOffset: 14 + 40 + 8 + 16 + 8 + 8 });
  });

  it('should report the outer IP protocol, GRE included, though only UDP is decoded further', () => {
    const gre4 = encodeEthernet({
      etherType: ETHERTYPE_IPV4,
      payload: encodeIp({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 47, payload: new Uint8Array(8) }),
    });
    const gre6 = encodeEthernet({
      etherType: ETHERTYPE_IPV6,
      payload: encodeIp({
        src: '2001:db8::1',
        dst: '2001:db8::2',
        protocol: 47,
        payload: new Uint8Array(8),
        extensionHeaders: [[60, DEST_OPTS]],
      }),
    });

    expect(decode(gre4)).toEqual([false, expect.objectContaining({ outerIpProtocol: 47, error: undefined })]);
    expect(decode(gre6)).toEqual([false, expect.objectContaining({ outerIpProtocol: 47, error: undefined })]);
    expect(decode(encodeVxlanFrame({ vni: 1 }))).toEqual([true, expect.objectContaining({ outerIpProtocol: 17 })]);
    expect(decode(encodeVxlanFrame({ vni: 1, outerSrc: 'fd00::1', outerDst: 'fd00::2' }))[1].outerIpProtocol).toBe(17);
  });

  it('should not decode a non-first IPv6 or IPv4 fragment as UDP', () => {
    const vxlanPayload = concat(
      encodeVxlanHeader(3),
      encodeEthernet({ etherType: ETHERTYPE_IPV4, payload: new Uint8Array(0) }),
    );
    const udp = encodeUdpPacket({
      src: '2001:db8::1',
      dst: '2001:db8::2',
      srcPort: 1,
      dstPort: 4789,
      payload: vxlanPayload,
    }).subarray(40);
    const v6 = encodeEthernet({
      etherType: ETHERTYPE_IPV6,
      payload: encodeIpv6WithExtensions(udp, [[44, LATER_FRAGMENT]]),
    });
    const v4 = encodeVxlanFrame({ vni: 3, ipLengthField: undefined });
    v4[14 + 6] = 0x00;
    v4[14 + 7] = 0xb9; // fragment offset 185 × 8

    expect(decode(v6)).toEqual([false, expect.objectContaining({ error: undefined })]);
    expect(decode(v4)).toEqual([false, expect.objectContaining({ error: undefined })]);
    expect(decodePacket(v4, 0, v4.length, LINKTYPE_ETHERNET, ports).map((l) => l.type)).toEqual([
      'ethernet',
      'ipv4',
      'payload',
    ]);
  });

  it('should decode the first IPv4 fragment and flag the UDP datagram as truncated', () => {
    const frame = encodeVxlanFrame({ vni: 3, payload: new Uint8Array(64) });
    // MF set, and the IP total length covers only part of the UDP datagram.
    frame[14 + 6] = 0x20;
    frame[14 + 2] = 0;
    frame[14 + 3] = 20 + 8 + 8 + 14 + 8;

    const [ok, sut] = decode(frame);

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ truncated: true, vni: 3, innerLength: 22 });
  });

  it('should take the captured length for BIG TCP (IP length 0) and GSO (UDP length 0)', () => {
    const v4 = encodeVxlanFrame({ vni: 8, payload: new Uint8Array(100), ipLengthField: 0, udpLengthField: 0 });
    const v6 = encodeVxlanFrame({
      vni: 8,
      outerSrc: 'fd00::1',
      outerDst: 'fd00::2',
      ipLengthField: 0,
      udpLengthField: 0,
    });

    expect(decode(v4)[1]).toMatchObject({ vni: 8, innerLength: 114, wireLength: v4.length, truncated: false });
    expect(decode(v6)[1]).toMatchObject({ vni: 8, innerLength: 14 + 30, wireLength: v6.length, truncated: false });
  });

  it.each([
    ['an IPv4 header length below 20', 14, 0x44, 'ipv4', 'bad-header-length'],
    ['an IP version that is not 4', 14, 0x65, 'ipv4', 'bad-version'],
    ['an IPv4 total length below the header length', 17, 10, 'ipv4', 'bad-total-length'],
    ['a UDP length below 8', 14 + 20 + 5, 7, 'udp', 'bad-length'],
  ])('should set out.error for %s', (_what, at, value, layer, reason) => {
    const frame = encodeVxlanFrame({ vni: 1 });
    frame[at] = value;
    if (at === 17) {
      frame[16] = 0;
    }

    const [ok, sut] = decode(frame);

    expect(ok).toBe(false);
    expect(sut).toMatchObject({ error: reason, errorLayer: layer });
  });

  it('should set out.error for a link type it does not decode', () => {
    const [ok, sut] = decode(encodeVxlanFrame({ vni: 1 }), 228);

    expect(ok).toBe(false);
    expect(sut).toMatchObject({ error: 'unsupported-link-type', errorLayer: 'link', errorOffset: 0 });
  });

  it('should decode Linux cooked captures (SLL and SLL2)', () => {
    const packet = encodeVxlanPacket({ vni: 321 });

    const [okSll, sll] = decode(encodeSll(ETHERTYPE_IPV4, packet), LINKTYPE_LINUX_SLL);
    const [okSll2, sll2] = decode(encodeSll2(ETHERTYPE_IPV4, packet), LINKTYPE_LINUX_SLL2);

    expect([okSll, okSll2]).toEqual([true, true]);
    expect(sll).toMatchObject({ vni: 321, outerSrcOffset: 16 + 12, wireLength: 16 + packet.length });
    expect(sll2).toMatchObject({ vni: 321, outerSrcOffset: 20 + 12, wireLength: 20 + packet.length });
  });

  it('should match the destination port first, then the source port', () => {
    const toGeneve = encodeVxlanFrame({ vni: 1, srcPort: 4789, dstPort: 6081 });
    const fromVxlan = encodeVxlanFrame({ vni: 1, srcPort: 4789, dstPort: 33333 });

    expect(decode(toGeneve)[0]).toBe(false);
    expect(decode(fromVxlan)[0]).toBe(true);
  });

  it('should use only the ports of the registry it is given', () => {
    const custom = new PortRegistry([9999]);

    expect(decode(encodeVxlanFrame({ vni: 1, dstPort: 9999 }), LINKTYPE_ETHERNET, custom)[0]).toBe(true);
    expect(decode(encodeVxlanFrame({ vni: 1, dstPort: 4789 }), LINKTYPE_ETHERNET, custom)[0]).toBe(false);
  });

  it(`should count nested VXLAN headers up to MAX_NESTED_VXLAN (${MAX_NESTED_VXLAN})`, () => {
    let packet = encodeVxlanPacket({ vni: 100 });
    for (let vni = 99; vni > 89; vni--) {
      packet = encodeVxlanPacket({ vni, payload: packet });
    }

    const [ok, sut] = decode(encodeEthernet({ etherType: ETHERTYPE_IPV4, payload: packet }));

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ vni: 90, nestedVxlan: MAX_NESTED_VXLAN });
  });

  it('should not look for nested VXLAN headers when maxNested is 0, and decode the rest alike', () => {
    const frame = encodeVxlanFrame({ vni: 1, payload: encodeVxlanPacket({ vni: 2 }) });
    const [, nested] = decode(frame);
    const sut = createVxlanFrameInfo();

    const ok = decodeVxlanFrame(frame, 0, frame.length, LINKTYPE_ETHERNET, ports, sut, 0);

    expect(ok).toBe(true);
    expect(nested.nestedVxlan).toBe(1);
    expect(sut).toEqual({ ...nested, nestedVxlan: 0 });
  });

  it('should not count a truncated nested VXLAN header, nor report it as an error', () => {
    const nested = encodeVxlanPacket({ vni: 2 }).subarray(0, 20 + 8 + 4);
    const [ok, sut] = decode(encodeVxlanFrame({ vni: 1, payload: nested }));

    expect(ok).toBe(true);
    expect(sut).toMatchObject({ vni: 1, nestedVxlan: 0, error: undefined });
  });

  it('should reset every field between calls', () => {
    const sut = createVxlanFrameInfo();
    const vxlan = encodeVxlanFrame({ vni: 5, outerVlans: [3], innerVlans: [4] });
    const other = encodeEthernet({ etherType: 0x88cc, payload: new Uint8Array(40) });

    decodeVxlanFrame(vxlan, 0, vxlan.length, LINKTYPE_ETHERNET, ports, sut);
    decodeVxlanFrame(other, 0, other.length, LINKTYPE_ETHERNET, ports, sut);

    expect(sut).toEqual({ ...createVxlanFrameInfo(), linkType: LINKTYPE_ETHERNET, capturedLength: other.length });
  });
});

describe(`${decodeVxlanFrame.name} and ${decodePacket.name} on synthetic frames, against tshark`, () => {
  const frames: { name: string; linkType: number; bytes: Uint8Array }[] = [
    { name: 'inner 802.1Q', linkType: 1, bytes: encodeVxlanFrame({ vni: 10, innerVlans: [100] }) },
    {
      name: 'inner 802.1ad+802.1Q',
      linkType: 1,
      bytes: encodeVxlanFrame({ vni: 11, innerVlans: [200, 300], innerTpid: 0x88a8 }),
    },
    { name: 'GBP', linkType: 1, bytes: encodeVxlanFrame({ vni: 12, flags: 0x88, reserved1: (0x48 << 16) | 0x1234 }) },
    {
      name: 'IPv6 underlay',
      linkType: 1,
      bytes: encodeVxlanFrame({ vni: 13, outerSrc: '2001:db8::1', outerDst: '2001:db8::2' }),
    },
    { name: 'port 8472', linkType: 1, bytes: encodeVxlanFrame({ vni: 14, dstPort: 8472 }) },
    { name: 'SLL', linkType: 113, bytes: encodeSll(ETHERTYPE_IPV4, encodeVxlanPacket({ vni: 15 })) },
    { name: 'SLL2', linkType: 276, bytes: encodeSll2(ETHERTYPE_IPV4, encodeVxlanPacket({ vni: 16 })) },
    {
      name: 'inner IPv6 ICMPv6',
      linkType: 1,
      bytes: encodeVxlanFrame({
        vni: 17,
        ethertype: ETHERTYPE_IPV6,
        payload: encodeIcmpv6Echo('fd00::1', 'fd00::2', 128, 7, 9),
      }),
    },
  ];
  const tmp = scratchDir();
  afterAll(() => tmp.cleanup());

  it.each(frames)('should agree with tshark on $name', ({ linkType, bytes }) => {
    const file = tmp.write('frame.pcap', writePcap([bytes], linkType));
    const [[vni, flagG, gbp, sTagIds, vlanIds, vlanTypes, ethTypes, protocols]] = tsharkFields(file, [
      'vxlan.vni',
      'vxlan.flag_g',
      'vxlan.gbp',
      'ieee8021ad.id',
      'vlan.id',
      'vlan.etype',
      'eth.type',
      'frame.protocols',
    ]);

    const [ok, sut] = decode(bytes, linkType);
    const layers = decodePacket(bytes, 0, bytes.length, linkType, ports).map((l) => l.type);

    expect(ok).toBe(true);
    expect(protocols).not.toContain('malformed');
    expect(sut.vni).toBe(Number(vni));
    expect(sut.groupPolicyId).toBe(flagG === '1' ? Number(gbp) : -1);
    // tshark calls an 802.1ad S-tag ieee8021ad, an 802.1Q C-tag vlan.
    const firstVid = sTagIds !== '' ? sTagIds : vlanIds;
    expect(sut.innerVlanId).toBe(firstVid === '' ? -1 : Number(firstVid.split(',')[0]));
    // The inner EtherType is what follows the last inner tag (tshark: vlan.etype), else eth.type of the inner frame.
    const innerType = vlanTypes !== '' ? vlanTypes.split(',').at(-1) : ethTypes.split(',').at(-1);
    expect(sut.innerEtherType).toBe(Number(innerType));
    const names: Record<string, string> = {
      ethernet: 'eth',
      ipv4: 'ip',
      ipv6: 'ipv6',
      udp: 'udp',
      vxlan: 'vxlan',
      vlan: 'vlan',
      icmpv6: 'icmpv6',
      sll: 'sll',
      sll2: 'sll',
    };
    const theirs = protocols
      .split(':')
      .map((p) => (p === 'ieee8021ad' ? 'vlan' : p))
      .filter((p) => Object.values(names).includes(p));
    expect(layers.flatMap((l) => names[l] ?? [])).toEqual(theirs);
  });

  it('should decode the ICMPv6 header', () => {
    const bytes = frames[7].bytes;
    const layers = decodePacket(bytes, 0, bytes.length, LINKTYPE_ETHERNET, ports);

    expect(layers.at(-2)).toMatchObject({
      type: 'icmpv6',
      header: { type: 128, code: 0, restOfHeader: (7 << 16) | 9 },
    });
    expect(layers.at(-1)).toMatchObject({ type: 'payload', length: 4, header: { reason: 'data' } });
  });
});

/** An IPv6 header (2001:db8::1 → ::2) followed by `extensions` and then `udp`. */
function encodeIpv6WithExtensions(udp: Uint8Array, extensions: readonly (readonly [number, Uint8Array])[]): Uint8Array {
  const chain = extensions.map(([, bytes], i) => {
    const copy = Uint8Array.from(bytes);
    copy[0] = i + 1 < extensions.length ? extensions[i + 1][0] : 17;
    return copy;
  });
  const body = concat(...chain, udp);
  const header = new Uint8Array(40);
  header[0] = 0x60;
  header[4] = body.length >> 8;
  header[5] = body.length & 0xff;
  header[6] = extensions[0][0];
  header[7] = 64;
  header[23] = 1;
  header[39] = 2;
  header.set([0x20, 0x01, 0x0d, 0xb8], 8);
  header.set([0x20, 0x01, 0x0d, 0xb8], 24);
  return concat(header, body);
}
