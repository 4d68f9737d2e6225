// decodeErspan on hand-built Type II and Type III headers (draft-foschiano-erspan-03), Type I through
// GRE, truncation at every header boundary, and the fields against tshark.
import {
  DecodeError,
  decodeErspan,
  decodePacket,
  ERSPAN_II_HEADER_LENGTH,
  ERSPAN_III_HEADER_LENGTH,
  PortRegistry,
  type ErspanHeader,
} from '@vx/wire';

import { scratchDir, tsharkFields } from './support/capture-io';
import {
  concat,
  defaultInnerPayload,
  encodeErspanII,
  encodeErspanIII,
  encodeEthernet,
  encodeGreHeader,
  encodeIp,
  ETHERTYPE_IPV4,
  type GreSpec,
} from './support/encode';
import { writePcap } from './support/pcap-writer';

const ports = new PortRegistry();

const mirrored = (): Uint8Array =>
  encodeEthernet({ etherType: ETHERTYPE_IPV4, payload: defaultInnerPayload(ETHERTYPE_IPV4) });

/** Outer Ethernet → IPv4 → GRE → `erspan` header → mirrored Ethernet frame. */
function erspanFrame(gre: GreSpec, erspan: Uint8Array, inner = mirrored()): Uint8Array {
  const packet = encodeIp({
    src: '192.0.2.10',
    dst: '192.0.2.20',
    protocol: 47,
    payload: concat(encodeGreHeader(gre), erspan, inner),
  });
  return encodeEthernet({ etherType: ETHERTYPE_IPV4, payload: packet });
}

const TYPE_II = encodeErspanII({
  sessionId: 0x3ff,
  vlan: 0xabc,
  cos: 5,
  bits: 2,
  frameTruncated: true,
  index: 0xfedcb,
});
const TYPE_III = encodeErspanIII({
  sessionId: 0x155,
  vlan: 0x123,
  cos: 3,
  bits: 1,
  timestamp: 0xdeadbeef,
  sgt: 0xcafe,
  pduFrame: true,
  hardwareId: 0x2a,
  egress: true,
  granularity: 3,
});
const TYPE_III_SUBHEADER = encodeErspanIII({ sessionId: 9, timestamp: 1, platformId: 0x3f });

describe(decodeErspan.name, () => {
  it('should decode every field of a Type II header', () => {
    const sut = decodeErspan(concat(new Uint8Array(2), TYPE_II, mirrored()), 2);

    expect(sut).toMatchObject({
      header: {
        version: 1,
        vlan: 0xabc,
        cos: 5,
        encapsulation: 2,
        frameTruncated: true,
        sessionId: 0x3ff,
        reserved: 0,
        index: 0xfedcb,
      },
      payloadOffset: 2 + ERSPAN_II_HEADER_LENGTH,
      next: { kind: 'layer', layer: 'ethernet' },
    });
  });

  it('should decode every field of a Type III header', () => {
    const sut = decodeErspan(concat(TYPE_III, mirrored()), 0);

    expect(sut).toMatchObject({
      header: {
        version: 2,
        vlan: 0x123,
        cos: 3,
        bso: 1,
        frameTruncated: false,
        sessionId: 0x155,
        timestamp: 0xdeadbeef,
        sgt: 0xcafe,
        pduFrame: true,
        frameType: 0,
        hardwareId: 0x2a,
        egress: true,
        granularity: 3,
        optionalSubheader: false,
        platformId: -1,
      },
      payloadOffset: ERSPAN_III_HEADER_LENGTH,
      next: { kind: 'layer', layer: 'ethernet' },
    });
  });

  it('should step over the 8-byte platform specific subheader when O is set', () => {
    const sut = decodeErspan(concat(TYPE_III_SUBHEADER, mirrored()), 0);

    expect(sut.header).toMatchObject({ version: 2, optionalSubheader: true, platformId: 0x3f });
    expect(sut.payloadOffset).toBe(ERSPAN_III_HEADER_LENGTH + 8);
  });

  it('should not follow a Type III frame type other than Ethernet', () => {
    const sut = decodeErspan(encodeErspanIII({ sessionId: 1, timestamp: 0, frameType: 2 }), 0);

    expect(sut.header).toMatchObject({ frameType: 2 });
    expect(sut.next).toEqual({ kind: 'unsupported' });
  });

  it.each([
    { name: 'Type II', header: TYPE_II, boundaries: [8] },
    { name: 'Type III', header: TYPE_III, boundaries: [8, 12] },
    { name: 'Type III with a platform subheader', header: TYPE_III_SUBHEADER, boundaries: [8, 12, 20] },
  ])(
    'should throw a truncated DecodeError naming erspan and its offset at every length short of $name',
    ({ header, boundaries }) => {
      const bytes = concat(new Uint8Array(6), header, new Uint8Array(32));
      for (let available = 0; available < header.length; available++) {
        expect(() => decodeErspan(bytes, 6, 6 + available)).toThrow(
          expect.objectContaining({
            layer: 'erspan',
            reason: 'truncated',
            offset: 6,
            needed: boundaries.find((b) => b > available),
            available,
          }) as DecodeError,
        );
      }
      expect(decodeErspan(bytes, 6, 6 + header.length).payloadOffset).toBe(6 + header.length);
    },
  );

  it.each([0, 3, 15])('should reject Ver %i with a bad-version DecodeError', (version) => {
    const header = Uint8Array.from(TYPE_II);
    header[0] = (version << 4) | (header[0] & 0x0f);

    expect(() => decodeErspan(concat(new Uint8Array(4), header), 4)).toThrow(
      expect.objectContaining({
        layer: 'erspan',
        reason: 'bad-version',
        offset: 4,
        needed: 1,
        available: version,
      }) as DecodeError,
    );
  });
});

describe(`${decodePacket.name} with ERSPAN`, () => {
  const FRAMES = [
    { name: 'Type I', frame: erspanFrame({ protocolType: 0x88be }, new Uint8Array(0)), erspan: false },
    { name: 'Type II', frame: erspanFrame({ protocolType: 0x88be, sequenceNumber: 77 }, TYPE_II), erspan: true },
    { name: 'Type III', frame: erspanFrame({ protocolType: 0x22eb, sequenceNumber: 78 }, TYPE_III), erspan: true },
    {
      name: 'Type III with a platform subheader',
      frame: erspanFrame({ protocolType: 0x22eb, sequenceNumber: 79 }, TYPE_III_SUBHEADER),
      erspan: true,
    },
  ];

  it.each(FRAMES)('should decode $name down to the mirrored frame', ({ frame, erspan }) => {
    const layers = decodePacket(frame, 0, frame.length, 1, ports);

    expect(layers.map((l) => l.type)).toEqual([
      'ethernet',
      'ipv4',
      'gre',
      ...(erspan ? ['erspan'] : []),
      'ethernet',
      'ipv4',
      'udp',
      'payload',
    ]);
  });

  it('should agree with tshark on the ERSPAN fields', () => {
    const frames = FRAMES.filter((f) => f.erspan).map((f) => f.frame);
    const fields = [
      'erspan.version',
      'erspan.vlan',
      'erspan.cos',
      'erspan.encap',
      'erspan.bso',
      'erspan.truncated',
      'erspan.spanid',
      'erspan.index',
      'erspan.timestamp',
      'erspan.sgt',
      'erspan.p',
      'erspan.ft',
      'erspan.hw',
      'erspan.direction',
      'erspan.gra',
      'erspan.o',
      'erspan.platid',
    ];
    const dir = scratchDir();
    try {
      const theirs = tsharkFields(dir.write('erspan.pcap', writePcap(frames, 1)), fields);

      const ours = frames.map((frame) => {
        const h = decodePacket(frame, 0, frame.length, 1, ports)[3].header as ErspanHeader;
        const common = [h.version, h.vlan, h.cos];
        const tail = [Number(h.frameTruncated), h.sessionId];
        if (h.version === 1) {
          return [...common, h.encapsulation, '', ...tail, h.index].map(String);
        }
        return [
          ...common,
          '',
          h.bso,
          ...tail,
          '',
          h.timestamp,
          h.sgt,
          Number(h.pduFrame),
          h.frameType,
          h.hardwareId,
          Number(h.egress),
          h.granularity,
          Number(h.optionalSubheader),
          h.platformId < 0 ? '' : h.platformId,
        ].map(String);
      });
      const trim = (row: string[]): string => row.join('\t').replace(/\t+$/, '');

      expect(ours.map(trim)).toEqual(theirs.map(trim));
    } finally {
      dir.cleanup();
    }
  });
});
