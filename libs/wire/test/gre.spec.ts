// decodeGre on hand-built headers (RFC 2784, RFC 2890 C/K/S combinations, NVGRE, PPTP's version 1,
// RFC 1701 routing) and inside decodePacket, cross-checked against tshark.
import { DecodeError, decodeGre, decodePacket, GRE_HEADER_LENGTH, PortRegistry, type GreHeader } from '@vx/wire';

import { scratchDir, tsharkFields } from './support/capture-io';
import {
  concat,
  defaultInnerPayload,
  encodeEthernet,
  encodeGreHeader,
  encodeIp,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  type GreSpec,
} from './support/encode';
import { writePcap } from './support/pcap-writer';

const ports = new PortRegistry();

const NO_OPTIONS: Omit<GreHeader, 'flagsAndVersion' | 'protocolType'> = {
  version: 0,
  checksumPresent: false,
  routingPresent: false,
  keyPresent: false,
  sequencePresent: false,
  reservedBitsSet: false,
  checksum: -1,
  reserved1: -1,
  key: -1,
  sequenceNumber: -1,
  acknowledgmentNumber: -1,
  vsid: -1,
  flowId: -1,
};

/** `inner` (an IP packet or an Ethernet frame) in GRE in outer IPv4 (or IPv6) in Ethernet. */
function greFrame(gre: GreSpec, inner: Uint8Array, outerSrc = '198.51.100.1', outerDst = '198.51.100.2'): Uint8Array {
  const packet = encodeIp({ src: outerSrc, dst: outerDst, protocol: 47, payload: concat(encodeGreHeader(gre), inner) });
  return encodeEthernet({ etherType: outerSrc.includes(':') ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, payload: packet });
}

/** An Ethernet frame with IPv4 UDP 10.0.0.1:1234 → 10.0.0.2:5678 "hi". */
const innerEthernet = (): Uint8Array =>
  encodeEthernet({ etherType: ETHERTYPE_IPV4, payload: defaultInnerPayload(ETHERTYPE_IPV4) });

/** Every C/K/S combination, with distinct values so a field read at the wrong place shows. */
const COMBINATIONS: { name: string; spec: GreSpec; length: number }[] = [];
for (const c of [false, true]) {
  for (const k of [false, true]) {
    for (const s of [false, true]) {
      COMBINATIONS.push({
        name: `${c ? 'C' : '-'}${k ? 'K' : '-'}${s ? 'S' : '-'}`,
        spec: {
          protocolType: ETHERTYPE_IPV4,
          checksum: c ? 0xbeef : undefined,
          key: k ? 0xfedcba98 : undefined,
          sequenceNumber: s ? 0x80000001 : undefined,
        },
        length: GRE_HEADER_LENGTH + 4 * (Number(c) + Number(k) + Number(s)),
      });
    }
  }
}

describe(decodeGre.name, () => {
  it.each(COMBINATIONS)('should decode the optional fields of $name', ({ spec, length }) => {
    const bytes = concat(new Uint8Array(3), encodeGreHeader(spec), Uint8Array.of(0x45));

    const sut = decodeGre(bytes, 3);

    expect(sut).toEqual({
      header: {
        ...NO_OPTIONS,
        flagsAndVersion: (bytes[3] << 8) | bytes[4],
        checksumPresent: spec.checksum !== undefined,
        keyPresent: spec.key !== undefined,
        sequencePresent: spec.sequenceNumber !== undefined,
        protocolType: ETHERTYPE_IPV4,
        checksum: spec.checksum ?? -1,
        reserved1: spec.checksum === undefined ? -1 : 0,
        key: spec.key ?? -1,
        sequenceNumber: spec.sequenceNumber ?? -1,
      },
      payloadOffset: 3 + length,
      payloadEnd: bytes.length,
      truncated: false,
      next: { kind: 'gre-protocol', value: ETHERTYPE_IPV4 },
    });
  });

  it.each(COMBINATIONS)(
    'should throw a truncated DecodeError naming gre and its offset at every length short of $name',
    ({ spec, length }) => {
      const bytes = concat(new Uint8Array(5), encodeGreHeader(spec), new Uint8Array(16));
      for (let available = 0; available < length; available++) {
        expect(() => decodeGre(bytes, 5, 5 + available)).toThrow(
          expect.objectContaining({
            layer: 'gre',
            reason: 'truncated',
            offset: 5,
            needed: available < GRE_HEADER_LENGTH ? GRE_HEADER_LENGTH : length,
            available,
          }) as DecodeError,
        );
      }
      expect(decodeGre(bytes, 5, 5 + length).payloadOffset).toBe(5 + length);
    },
  );

  it('should expose the NVGRE VSID and FlowID of a keyed Transparent Ethernet Bridging header (RFC 7637)', () => {
    const sut = decodeGre(encodeGreHeader({ protocolType: 0x6558, key: 0x12345601 }), 0);

    expect(sut.header).toMatchObject({ keyPresent: true, key: 0x12345601, vsid: 0x123456, flowId: 1 });
    expect(sut.next).toEqual({ kind: 'gre-protocol', value: 0x6558 });
  });

  it('should not call a key NVGRE when the payload is not Ethernet, nor Ethernet over GRE without a key', () => {
    expect(decodeGre(encodeGreHeader({ protocolType: ETHERTYPE_IPV4, key: 0x12345601 }), 0).header).toMatchObject({
      key: 0x12345601,
      vsid: -1,
      flowId: -1,
    });
    expect(decodeGre(encodeGreHeader({ protocolType: 0x6558 }), 0).header).toMatchObject({ vsid: -1, flowId: -1 });
  });

  it('should go straight to Ethernet for ERSPAN Type I (0x88be without S) and to the ERSPAN header with S', () => {
    expect(decodeGre(encodeGreHeader({ protocolType: 0x88be }), 0).next).toEqual({ kind: 'layer', layer: 'ethernet' });
    expect(decodeGre(encodeGreHeader({ protocolType: 0x88be, sequenceNumber: 1 }), 0).next).toEqual({
      kind: 'gre-protocol',
      value: 0x88be,
    });
    expect(decodeGre(encodeGreHeader({ protocolType: 0x22eb, sequenceNumber: 1 }), 0).next).toEqual({
      kind: 'gre-protocol',
      value: 0x22eb,
    });
  });

  it("should decode PPTP's enhanced GRE (version 1) with its acknowledgment number, and stop at its PPP payload", () => {
    const bytes = encodeGreHeader({
      version: 1,
      protocolType: 0x880b,
      key: 0x00280007, // payload length 40, call ID 7
      sequenceNumber: 5,
      acknowledgmentNumber: 4,
    });

    const sut = decodeGre(bytes, 0);

    expect(sut.header).toEqual({
      ...NO_OPTIONS,
      flagsAndVersion: 0x3081,
      version: 1,
      keyPresent: true,
      sequencePresent: true,
      protocolType: 0x880b,
      key: 0x00280007,
      sequenceNumber: 5,
      acknowledgmentNumber: 4,
    });
    expect(sut.payloadOffset).toBe(16);
    expect(sut.next).toEqual({ kind: 'unsupported' });
    expect(() => decodeGre(bytes, 0, 15)).toThrow(
      expect.objectContaining({
        layer: 'gre',
        reason: 'truncated',
        offset: 0,
        needed: 16,
        available: 15,
      }) as DecodeError,
    );
  });

  it.each([2, 3, 7])('should reject version %i with a bad-version DecodeError', (version) => {
    const bytes = concat(new Uint8Array(9), encodeGreHeader({ version, protocolType: ETHERTYPE_IPV4 }));

    expect(() => decodeGre(bytes, 9)).toThrow(
      expect.objectContaining({
        layer: 'gre',
        reason: 'bad-version',
        offset: 9,
        needed: 0,
        available: version,
      }) as DecodeError,
    );
  });

  it('should report reserved bits without rejecting the header, and ignore the A bit outside version 1', () => {
    const sut = decodeGre(encodeGreHeader({ protocolType: ETHERTYPE_IPV4, extraFlags: 0x0880 }), 0);

    expect(sut.header).toMatchObject({ reservedBitsSet: true, acknowledgmentNumber: -1 });
    expect(sut.payloadOffset).toBe(4);
    expect(sut.next).toEqual({ kind: 'gre-protocol', value: ETHERTYPE_IPV4 });
  });

  it('should read the checksum word of an RFC 1701 routing header and stop before its source route entries', () => {
    const sut = decodeGre(encodeGreHeader({ protocolType: ETHERTYPE_IPV4, extraFlags: 0x4000 }), 0);

    expect(sut.header).toMatchObject({ routingPresent: true, checksumPresent: false, checksum: 0, reserved1: 0 });
    expect(sut.payloadOffset).toBe(8);
    expect(sut.next).toEqual({ kind: 'unsupported' });
  });
});

describe(`${decodePacket.name} with GRE`, () => {
  const types = (frame: Uint8Array): string[] => decodePacket(frame, 0, frame.length, 1, ports).map((l) => l.type);

  it('should follow IPv4 protocol 47 and IPv6 next header 47 into GRE, and GRE into IPv4 and IPv6', () => {
    const inner4 = encodeIp({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, payload: new Uint8Array(8) });
    const inner6 = encodeIp({ src: 'fd00::1', dst: 'fd00::2', protocol: 59, payload: new Uint8Array(0) });

    expect(types(greFrame({ protocolType: ETHERTYPE_IPV4 }, inner4))).toEqual([
      'ethernet',
      'ipv4',
      'gre',
      'ipv4',
      'udp',
    ]);
    expect(types(greFrame({ protocolType: ETHERTYPE_IPV6 }, inner6, '2001:db8::1', '2001:db8::2'))).toEqual([
      'ethernet',
      'ipv6',
      'gre',
      'ipv6',
    ]);
  });

  it('should decode NVGRE to the inner Ethernet frame', () => {
    const frame = greFrame({ protocolType: 0x6558, key: 0x00100080 }, innerEthernet());
    const layers = decodePacket(frame, 0, frame.length, 1, ports);

    expect(layers.map((l) => l.type)).toEqual(['ethernet', 'ipv4', 'gre', 'ethernet', 'ipv4', 'udp', 'payload']);
    expect(layers[2].header).toMatchObject({ vsid: 0x1000, flowId: 0x80 });
  });

  it('should leave the payload of an unknown protocol type and of version 1 undecoded, as unsupported', () => {
    for (const gre of [
      { protocolType: 0x8847 },
      { protocolType: 0x0806 },
      { version: 1, protocolType: 0x880b, key: 7 },
    ] as const) {
      const layers = decodePacket(greFrame(gre, new Uint8Array(12)), 0, 14 + 20 + 30, 1, ports);

      expect(layers.map((l) => l.type)).toEqual(['ethernet', 'ipv4', 'gre', 'payload']);
      expect(layers[3].header).toEqual({ reason: 'unsupported' });
    }
  });

  it('should agree with tshark on flags, checksum, key, sequence and acknowledgment numbers', () => {
    const frames = [
      ...COMBINATIONS.map(({ spec }) =>
        // Protocol 253 (RFC 3692 experimentation): tshark and decodePacket both stop after the inner IPv4.
        greFrame(spec, encodeIp({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 253, payload: new Uint8Array(8) })),
      ),
      greFrame({ protocolType: 0x6558, key: 0x12345601 }, innerEthernet()),
      greFrame(
        { version: 1, protocolType: 0x880b, key: 0x00040007, sequenceNumber: 9, acknowledgmentNumber: 8 },
        new Uint8Array(4),
      ),
    ];
    const dir = scratchDir();
    try {
      const file = dir.write('gre.pcap', writePcap(frames, 1));
      const theirs = tsharkFields(file, [
        'gre.flags_and_version',
        'gre.proto',
        'gre.checksum',
        'gre.key',
        'gre.key.payload_length',
        'gre.key.call_id',
        'gre.sequence_number',
        'gre.ack_number',
      ]);

      const ours = frames.map((frame) => {
        const h = decodePacket(frame, 0, frame.length, 1, ports)[2].header as GreHeader;
        const opt = (n: number): string => (n < 0 ? '' : String(n));
        return [
          `0x${h.flagsAndVersion.toString(16).padStart(4, '0')}`,
          `0x${h.protocolType.toString(16).padStart(4, '0')}`,
          h.checksum < 0 ? '' : `0x${h.checksum.toString(16).padStart(4, '0')}`,
          // Version 1 (RFC 2637): the key is the payload length and the call ID.
          h.key < 0 || h.version === 1 ? '' : `0x${h.key.toString(16).padStart(8, '0')}`,
          h.version === 1 ? String(h.key >>> 16) : '',
          h.version === 1 ? String(h.key & 0xffff) : '',
          opt(h.sequenceNumber),
          opt(h.acknowledgmentNumber),
        ];
      });
      // tshark drops trailing empty fields.
      expect(ours.map((row) => row.join('\t').replace(/\t+$/, ''))).toEqual(
        theirs.map((row) => row.join('\t').replace(/\t+$/, '')),
      );
    } finally {
      dir.cleanup();
    }
  });
});
