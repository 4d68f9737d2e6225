// PcapFileReader and PcapStreamParser: classic pcap in both byte orders and resolutions, pcapng,
// streaming in chunks of any size, and corrupt input; tshark reads the same files as the oracle.
import { DecodeError, PcapFileReader, PcapStreamParser } from '@vx/wire';

import { capturePath, readCapture, readFile, run, scratchDir, tsharkFields } from './support/capture-io';
import { writePcap, writePcapng, type PacketRecord } from './support/pcap-writer';

interface Packet {
  readonly hex: string;
  readonly capturedLength: number;
  readonly originalLength: number;
  readonly linkType: number;
  readonly tsSec: number;
  readonly tsNsec: number;
}

function readAll(bytes: Uint8Array): Packet[] {
  const sut = new PcapFileReader(bytes);
  const packets: Packet[] = [];
  while (sut.next()) {
    packets.push({
      hex: Buffer.from(sut.bytes.subarray(sut.packetOffset, sut.packetOffset + sut.capturedLength)).toString('hex'),
      capturedLength: sut.capturedLength,
      originalLength: sut.originalLength,
      linkType: sut.linkType,
      tsSec: sut.tsSec,
      tsNsec: sut.tsNsec,
    });
  }
  return packets;
}

function streamAll(bytes: Uint8Array, chunkSize: number): Packet[] {
  const packets: Packet[] = [];
  const sut = new PcapStreamParser((buf, offset, capturedLength, originalLength, linkType, tsSec, tsNsec) => {
    packets.push({
      hex: Buffer.from(buf.subarray(offset, offset + capturedLength)).toString('hex'),
      capturedLength,
      originalLength,
      linkType,
      tsSec,
      tsNsec,
    });
  });
  for (let pos = 0; pos < bytes.length; pos += chunkSize) {
    // A fresh copy per chunk, as a file stream would deliver it.
    sut.push(bytes.slice(pos, pos + chunkSize));
  }
  sut.end();
  return packets;
}

/**
 * tshark's view of each packet. tshark also lists unknown pcapng blocks as 0-byte records without
 * protocols; the pcapng spec says to skip them, so they are left out here.
 */
function tsharkPackets(file: string): Pick<Packet, 'capturedLength' | 'originalLength' | 'tsSec' | 'tsNsec'>[] {
  return tsharkFields(file, ['frame.time_epoch', 'frame.cap_len', 'frame.len', 'frame.protocols'])
    .filter(([, , , protocols = '']) => protocols !== '')
    .map(([epoch, cap, len]) => {
      const [sec, frac = ''] = epoch.split('.');
      return {
        tsSec: Number(sec),
        tsNsec: Number(frac.padEnd(9, '0')),
        capturedLength: Number(cap),
        originalLength: Number(len),
      };
    });
}

const tmp = scratchDir();
afterAll(() => tmp.cleanup());

describe(PcapFileReader.name, () => {
  it('should read a little-endian microsecond pcap like tshark does', () => {
    const sut = readAll(readCapture('tcpdump-vxlan.pcap'));

    expect(sut).toHaveLength(10);
    expect(
      sut.map(({ capturedLength, originalLength, tsSec, tsNsec }) => ({
        capturedLength,
        originalLength,
        tsSec,
        tsNsec,
      })),
    ).toEqual(tsharkPackets(capturePath('tcpdump-vxlan.pcap')));
    expect(new Set(sut.map((p) => p.linkType))).toEqual(new Set([1]));
  });

  it('should read big-endian and nanosecond pcap files to the same packets', () => {
    const records: PacketRecord[] = readAll(readCapture('tcpdump-vxlan.pcap')).map((p) => ({
      data: Buffer.from(p.hex, 'hex'),
      tsSec: p.tsSec,
      tsNsec: p.tsNsec + 789, // sub-microsecond digits survive only in nanosecond files
      originalLength: p.originalLength,
    }));
    const bigEndianNanos = tmp.write('be-ns.pcap', writePcap(records, 1, { bigEndian: true, nanoseconds: true }));
    const bigEndianMicros = tmp.write('be-us.pcap', writePcap(records, 1, { bigEndian: true }));

    const nanos = readAll(readFile(bigEndianNanos));
    const micros = readAll(readFile(bigEndianMicros));

    expect(nanos.map((p) => p.tsNsec)).toEqual(records.map((r) => r.tsNsec));
    expect(micros.map((p) => p.tsNsec)).toEqual(records.map((r) => Math.floor((r.tsNsec ?? 0) / 1000) * 1000));
    expect(nanos.map((p) => p.hex)).toEqual(records.map((r) => Buffer.from(r.data).toString('hex')));
    expect(nanos.map(({ hex: _hex, linkType: _lt, ...rest }) => rest)).toEqual(tsharkPackets(bigEndianNanos));
    expect(micros.map(({ hex: _hex, linkType: _lt, ...rest }) => rest)).toEqual(tsharkPackets(bigEndianMicros));
  });

  it('should read an editcap nanosecond pcap to the same packets as the original', () => {
    const file = tmp.path('nsec.pcap');
    run('editcap', ['-F', 'nsecpcap', capturePath('tcpdump-vxlan.pcap'), file]);

    expect(readAll(readFile(file))).toEqual(readAll(readCapture('tcpdump-vxlan.pcap')));
  });

  it('should read an editcap pcapng to the same packets as the original pcap', () => {
    for (const name of ['tcpdump-vxlan.pcap', 'ndpi-vxlan.pcap', 'tcpdump-bigtcp-ipv4-vxlan-ipv4.pcap']) {
      const file = tmp.path(`${name}ng`);
      run('editcap', ['-F', 'pcapng', capturePath(name), file]);

      expect(new PcapFileReader(readFile(file)).format).toBe('pcapng');
      expect(readAll(readFile(file))).toEqual(readAll(readCapture(name)));
    }
  });

  it('should read the truncated GENEVE pcapng (caplen 58 of 156) like tshark does', () => {
    const sut = new PcapFileReader(readCapture('zeek-geneve-truncated.pcapng'));

    expect(sut.format).toBe('pcapng');
    expect(sut.linkType).toBe(1);
    expect(sut.next()).toBe(true);
    expect({
      capturedLength: sut.capturedLength,
      originalLength: sut.originalLength,
      tsSec: sut.tsSec,
      tsNsec: sut.tsNsec,
    }).toEqual(tsharkPackets(capturePath('zeek-geneve-truncated.pcapng'))[0]);
    expect(sut.next()).toBe(false);
  });

  it.each([
    ['little-endian', false],
    ['big-endian', true],
  ])('should read %s pcapng with several interfaces, resolutions and an unknown block', (_order, bigEndian) => {
    const records: PacketRecord[] = [
      {
        data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
        tsSec: 1700000000,
        tsNsec: 123456789,
        interfaceId: 0,
      },
      { data: new Uint8Array(20).fill(7), tsSec: 1700000001, tsNsec: 5, interfaceId: 1, originalLength: 1500 },
      { data: Uint8Array.of(9), tsSec: 42, tsNsec: 500000000, interfaceId: 2 },
    ];
    const file = tmp.write(
      `multi-${bigEndian}.pcapng`,
      writePcapng(records, {
        bigEndian,
        unknownBlock: true,
        interfaces: [
          { linkType: 1, tsresol: 9 }, // nanoseconds: 64-bit counts beyond 2^53
          { linkType: 276 }, // default microseconds
          { linkType: 113, tsresol: 0x80 | 10 }, // 2^-10 s
        ],
      }),
    );

    const sut = readAll(readFile(file));

    expect(sut.map((p) => p.linkType)).toEqual([1, 276, 113]);
    expect(sut.map((p) => [p.tsSec, p.tsNsec])).toEqual([
      [1700000000, 123456789],
      [1700000001, 0],
      [42, 500000000],
    ]);
    expect(sut.map((p) => [p.capturedLength, p.originalLength])).toEqual([
      [14, 14],
      [20, 1500],
      [1, 1],
    ]);
    expect(
      sut.map(({ capturedLength, originalLength, tsSec, tsNsec }) => ({
        capturedLength,
        originalLength,
        tsSec,
        tsNsec,
      })),
    ).toEqual(tsharkPackets(file));
  });

  it('should read Simple Packet Blocks with interface 0', () => {
    const file = tmp.write(
      'spb.pcapng',
      writePcapng([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6, 7, 8)], {
        interfaces: [{ linkType: 1 }],
        simple: true,
      }),
    );

    const sut = readAll(readFile(file));

    expect(sut.map((p) => [p.hex, p.capturedLength, p.linkType, p.tsSec])).toEqual([
      ['010203', 3, 1, 0],
      ['0405060708', 5, 1, 0],
    ]);
    expect(tsharkFields(file, ['frame.cap_len']).map(([n]) => Number(n))).toEqual([3, 5]);
  });

  it('should yield the complete packets of a cut file, then throw a truncated DecodeError', () => {
    const bytes = readCapture('tcpdump-vxlan.pcap');
    const sut = new PcapFileReader(bytes.subarray(0, bytes.length - 5));
    let packets = 0;

    expect(() => {
      while (sut.next()) {
        packets++;
      }
    }).toThrow(
      expect.objectContaining({
        layer: 'pcap',
        reason: 'truncated',
        needed: 16 + 148,
        available: 148 + 16 - 5,
      }) as DecodeError,
    );
    expect(packets).toBe(9);
  });

  it.each([
    ['an empty file', new Uint8Array(0), 'truncated'],
    ['a file that is not a capture', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n'), 'bad-magic'],
    [
      'a pcapng with a block length that is not a multiple of 4',
      patch(writePcapng([], { interfaces: [] }), 4, 0x1d),
      'bad-block-length',
    ],
    ['a pcap of major version 3', patch(writePcap([], 1), 4, 3), 'bad-version'],
  ])('should throw a DecodeError for %s', (_what, bytes, reason) => {
    expect(() => readAll(bytes)).toThrow(expect.objectContaining({ reason }) as DecodeError);
  });

  it('should throw unknown-interface for a packet whose interface has no IDB', () => {
    const withIdb = writePcapng([{ data: Uint8Array.of(1) }], { interfaces: [{ linkType: 1 }] });
    const shbLength = withIdb[4] | (withIdb[5] << 8);
    const idbLength = withIdb[shbLength + 4];
    const withoutIdb = new Uint8Array([...withIdb.subarray(0, shbLength), ...withIdb.subarray(shbLength + idbLength)]);

    expect(() => readAll(withoutIdb)).toThrow(
      expect.objectContaining({ layer: 'pcapng', reason: 'unknown-interface' }) as DecodeError,
    );
  });
});

describe(PcapStreamParser.name, () => {
  const files: Record<string, () => Uint8Array> = {
    'classic pcap': () => readCapture('tcpdump-vxlan.pcap'),
    'pcap with a snap length': () => readCapture('zeek-geneve-vxlan-dns-truncated.pcap'),
    'pcapng (zeek)': () => readCapture('zeek-geneve-truncated.pcapng'),
    'pcapng, big-endian, 3 interfaces': () =>
      writePcapng(
        [
          { data: new Uint8Array(61).fill(1), tsSec: 1, interfaceId: 0 },
          { data: new Uint8Array(3).fill(2), tsSec: 2, interfaceId: 1 },
          { data: new Uint8Array(130).fill(3), tsSec: 3, interfaceId: 2 },
        ],
        {
          bigEndian: true,
          unknownBlock: true,
          interfaces: [{ linkType: 1 }, { linkType: 113, tsresol: 9 }, { linkType: 276 }],
        },
      ),
  };

  it.each(Object.keys(files))('should give identical packets for every chunk size from 1 byte up, on %s', (name) => {
    const bytes = files[name]();
    const expected = readAll(bytes);
    for (let chunkSize = 1; chunkSize <= bytes.length; chunkSize += chunkSize < 100 ? 1 : 37) {
      expect(streamAll(bytes, chunkSize)).toEqual(expected);
    }
  });

  it('should carry an 80 KB BIG TCP packet across small chunks', () => {
    const bytes = readCapture('tcpdump-bigtcp-ipv4-vxlan-ipv4.pcap');
    const expected = readAll(bytes);

    for (const chunkSize of [1000, 4096, 65536, 79999]) {
      expect(streamAll(bytes, chunkSize)).toEqual(expected);
    }
    expect(expected[0].capturedLength).toBe(80116);
  });

  it('should hand out packets inside a chunk as views of that chunk, without copying', () => {
    const bytes = readCapture('tcpdump-vxlan.pcap');
    const seen: Uint8Array[] = [];
    const sut = new PcapStreamParser((buf) => seen.push(buf));

    sut.push(bytes);
    sut.end();

    expect(seen).toHaveLength(10);
    expect(seen.every((buf) => buf === bytes)).toBe(true);
    expect(sut.packets).toBe(10);
    expect(sut.format).toBe('pcap');
  });

  it('should throw a truncated DecodeError at end() when the input stops inside a record', () => {
    const bytes = readCapture('tcpdump-vxlan.pcap');
    let packets = 0;
    const sut = new PcapStreamParser(() => packets++);

    sut.push(bytes.subarray(0, 100));
    sut.push(bytes.subarray(100, bytes.length - 1));

    expect(sut.bufferedBytes).toBe(16 + 148 - 1);
    expect(() => sut.end()).toThrow(
      expect.objectContaining({ layer: 'pcap', reason: 'truncated', needed: 164, available: 163 }) as DecodeError,
    );
    expect(packets).toBe(9);
  });

  it('should throw a truncated DecodeError at end() when nothing was pushed', () => {
    const sut = new PcapStreamParser(() => undefined);

    expect(() => sut.end()).toThrow(expect.objectContaining({ reason: 'truncated' }) as DecodeError);
  });

  it('should throw bad-magic from push() on a stream that is not a capture', () => {
    const sut = new PcapStreamParser(() => undefined);

    expect(() => sut.push(new Uint8Array(64).fill(0x41))).toThrow(
      expect.objectContaining({ reason: 'bad-magic' }) as DecodeError,
    );
  });
});

function patch(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[offset] = value;
  return copy;
}
