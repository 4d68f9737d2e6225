// findPcapRecordStart / pcapRecordLayout / PcapStreamParser.resumeAt: starting a classic pcap reader
// in the middle of a file (how `vxscope read` splits a large file across threads).
import { findPcapRecordStart, PcapStreamParser, pcapRecordLayout, type PcapRecordLayout } from '@vx/wire';

import { writePcap, writePcapng } from './support/pcap-writer';

/** Frames of varied lengths (60..187 bytes) whose bytes are their index, timestamps 1 ms apart. */
function frames(n: number): { data: Uint8Array; tsSec: number; tsNsec: number }[] {
  return Array.from({ length: n }, (_, i) => ({ data: new Uint8Array(60 + ((i * 37) % 128)).fill(i & 0xff), tsSec: 1_700_000_000 + Math.floor(i / 1000), tsNsec: (i % 1000) * 1_000_000 }));
}

/** Offsets of the record headers of a little-endian classic pcap file. */
function recordStarts(file: Uint8Array): number[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const starts: number[] = [];
  for (let off = 24; off + 16 <= file.length; off += 16 + view.getUint32(off + 8, true)) {
    starts.push(off);
  }
  return starts;
}

describe('pcapRecordLayout', () => {
  it.each([
    ['µs little-endian', { bigEndian: false, nanoseconds: false }],
    ['ns big-endian', { bigEndian: true, nanoseconds: true }],
  ])('should read byte order, resolution and snap length of a %s header', (_name, options) => {
    const file = writePcap(frames(1), 1, { ...options, snapLength: 192 });

    expect(pcapRecordLayout(file)).toEqual({ littleEndian: !options.bigEndian, nanoseconds: options.nanoseconds, snaplen: 192 });
  });

  it('should say undefined for pcapng, a short buffer and a bad version', () => {
    const bad = writePcap(frames(1), 1);
    bad[4] = 3;

    expect(pcapRecordLayout(writePcapng(frames(1), { interfaces: [{ linkType: 1 }] }))).toBeUndefined();
    expect(pcapRecordLayout(new Uint8Array(10))).toBeUndefined();
    expect(pcapRecordLayout(bad)).toBeUndefined();
  });
});

describe('findPcapRecordStart', () => {
  const file = writePcap(frames(400), 1, { snapLength: 192 });
  const layout = pcapRecordLayout(file) as PcapRecordLayout;
  const starts = recordStarts(file);

  it('should find the first record starting at or after any offset', () => {
    for (const from of [24, 25, 100, 1000, 5000, 12345, 30000]) {
      expect(findPcapRecordStart(file, from, layout)).toBe(starts.find((s) => s >= from));
    }
  });

  it('should accept a start near the end of the buffer with at least two records left', () => {
    const last = starts.length - 2;

    expect(findPcapRecordStart(file, starts[last] - 3, layout)).toBe(starts[last]);
    expect(findPcapRecordStart(file, starts[starts.length - 1] - 3, layout)).toBe(-1);
  });

  it('should not take zero-filled or 0xff-filled bytes for records', () => {
    expect(findPcapRecordStart(new Uint8Array(4096), 0, layout)).toBe(-1);
    expect(findPcapRecordStart(new Uint8Array(4096).fill(0xff), 0, layout)).toBe(-1);
  });

  it('should not take records longer than the snap length, or a sub-second part of a second or more', () => {
    const long = writePcap(frames(50).map((f) => ({ ...f, data: new Uint8Array(300) })), 1, { snapLength: 192 });
    const ns = writePcap(frames(50), 1, { snapLength: 192, nanoseconds: true });
    const nsAsMicros: PcapRecordLayout = { ...layout, nanoseconds: false };

    expect(findPcapRecordStart(long, 24, pcapRecordLayout(long) as PcapRecordLayout)).toBe(-1);
    expect(findPcapRecordStart(ns, 24, pcapRecordLayout(ns) as PcapRecordLayout)).toBe(24);
    expect(findPcapRecordStart(ns, 24, nsAsMicros)).not.toBe(24);
  });

  it('should read big-endian records', () => {
    const be = writePcap(frames(100), 1, { snapLength: 192, bigEndian: true });

    expect(findPcapRecordStart(be, 30, pcapRecordLayout(be) as PcapRecordLayout)).toBe(24 + 16 + 60);
  });
});

describe('PcapStreamParser.resumeAt', () => {
  it('should read the records from a later record start, with file positions in its errors', () => {
    const file = writePcap(frames(100), 1, { snapLength: 192 });
    const starts = recordStarts(file);
    const cut = file.slice(0, file.length - 10);
    const seen: number[] = [];
    const sut = new PcapStreamParser((buf, offset) => seen.push(buf[offset]));

    sut.push(cut.subarray(0, 24));
    sut.resumeAt(starts[60]);
    sut.push(cut.subarray(starts[60]));

    expect(seen).toEqual(Array.from({ length: 39 }, (_, i) => 60 + i));
    let error: unknown;
    try {
      sut.end();
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ layer: 'pcap', reason: 'truncated', offset: starts[99] });
  });

  it('should refuse to resume before the file header or inside a record', () => {
    const file = writePcap(frames(3), 1);
    const fresh = new PcapStreamParser(() => undefined);
    const inside = new PcapStreamParser(() => undefined);
    inside.push(file.subarray(0, 30));

    expect(() => fresh.resumeAt(100)).toThrow(/only after a classic pcap header/);
    expect(() => inside.resumeAt(100)).toThrow(/between records/);
  });
});
