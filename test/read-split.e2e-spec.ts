/**
 * `vxscope read` splits a large classic pcap file across threads (capture/split-read.ts). Whatever
 * the file holds, the report must be the one a single sequential pass gives: same counters, same
 * errors, same packet counts. Only the bounded flow table's contents may differ (which flows are
 * evicted depends on the split), so `topFlows` and `evictions` are left out of the comparison.
 *
 * The files are made here: a generated VXLAN capture (the benchmark's generator), and copies of it
 * with a cut-off last record, a corrupt record in either half, a planted fake chain of record
 * headers right after the split point (the split guess is wrong and must be caught), and a pcapng
 * copy (never split).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateCapture } from '../bench/gen-vxlan';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'vxscope');
/** The CLI splits only when each part gets ≥ 16 MiB; 250 k generated packets make ~43 MB. */
const PACKETS = 250_000;

interface Report {
  packets: number;
  files: { source: string; format: string; packets: number; parts: number; error?: string }[];
  vtepPairs: unknown[];
  topFlows: unknown[];
  evictions: unknown;
  [key: string]: unknown;
}

function read(file: string, threads: number): Report {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VXSCOPE_')));
  const out = execFileSync(CLI, ['read', '--json', '--threads', String(threads), file], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  return JSON.parse(out) as Report;
}

/** The report without what depends on the split: flow table contents, pair order, the parts count. */
function comparable(r: Report): unknown {
  const { topFlows: _flows, evictions: _evictions, vtepPairs, files, ...rest } = r;
  return {
    ...rest,
    vtepPairs: vtepPairs.map((p) => JSON.stringify(p)).sort(),
    files: files.map(({ parts: _parts, ...f }) => f),
  };
}

/** Byte offsets of every record of a little-endian classic pcap file. */
function recordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let off = 24; off + 16 <= bytes.length; off += 16 + bytes.readUInt32LE(off + 8)) {
    offsets.push(off);
  }
  return offsets;
}

/** The first record starting at or after `at`. */
function recordAfter(offsets: number[], at: number): number {
  const found = offsets.find((o) => o >= at);
  if (found === undefined) {
    throw new Error(`no record after ${at}`);
  }
  return found;
}

describe('vxscope read: one large pcap file read by two threads', () => {
  let dir: string;
  let base: string;
  let bytes: Buffer;
  let offsets: number[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vx-read-split-'));
    base = join(dir, 'base.pcap');
    const vteps = Array.from({ length: 16 }, (_, i) => `10.200.0.${i + 1}`);
    generateCapture(base, { packets: PACKETS, seed: 7, snaplen: 192, maxPayload: 1400, vtepSrc: vteps, vtepDst: vteps });
    bytes = readFileSync(base);
    offsets = recordOffsets(bytes);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, data: Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };

  it('should read it in two parts and report exactly what one pass reports', () => {
    const one = read(base, 1);
    const two = read(base, 2);

    expect(offsets).toHaveLength(PACKETS);
    expect(one.files).toEqual([{ source: base, format: 'pcap', packets: PACKETS, parts: 1 }]);
    expect(two.files).toEqual([{ source: base, format: 'pcap', packets: PACKETS, parts: 2 }]);
    expect(comparable(two)).toEqual(comparable(one));
    expect(two.packets).toBe(PACKETS);
    expect(two.topFlows).toHaveLength(20);
  });

  it('should report a last record cut off by the end of the file as one pass does', () => {
    const cut = write('cut.pcap', bytes.subarray(0, bytes.length - 40));
    const one = read(cut, 1);
    const two = read(cut, 2);

    expect(two.files[0]).toMatchObject({ packets: PACKETS - 1, parts: 2, error: expect.stringMatching(/truncated/) });
    expect(comparable(two)).toEqual(comparable(one));
  });

  it.each([
    ['the first half', 0.25],
    ['the second half', 0.75],
  ])('should stop at a corrupt record in %s as one pass does', (_where, fraction) => {
    const copy = Buffer.from(bytes);
    const at = recordAfter(offsets, Math.floor(copy.length * fraction));
    copy.writeUInt32LE(0xffffffff, at + 8); // captured length beyond any limit
    const corrupt = write(`corrupt-${fraction}.pcap`, copy);
    const one = read(corrupt, 1);
    const two = read(corrupt, 2);

    expect(one.files[0]).toMatchObject({ packets: offsets.indexOf(at), error: expect.stringMatching(/bad-length/) });
    expect(two.files[0].parts).toBe(fraction < 0.5 ? 1 : 2);
    expect(comparable(two)).toEqual(comparable(one));
  });

  it('should catch a wrong guess of where the second part starts, and read on in one pass', () => {
    // Records of 2,000 bytes whose data is 0xff filler and then nine well-formed fake record headers
    // (a real one, with its 2,000 bytes, is longer than the file's snap length and never looks like
    // a start). Back to back they fill the middle 60 % of the file, so wherever the split looks for
    // a record start there, it finds a fake one first.
    const fake = Buffer.alloc(2000, 0xff);
    for (let i = 0; i < 9; i++) {
      const p = 600 + i * 116;
      fake.writeUInt32LE(1_700_000_000, p);
      fake.writeUInt32LE(i, p + 4);
      fake.writeUInt32LE(100, p + 8);
      fake.writeUInt32LE(100, p + 12);
    }
    const header = Buffer.alloc(16);
    header.writeUInt32LE(1_700_000_000, 0);
    header.writeUInt32LE(fake.length, 8);
    header.writeUInt32LE(fake.length, 12);
    const record = Buffer.concat([header, fake]);
    // n planted records are 60 % of the final size: n × r = 0.6 × (bytes + n × r).
    const n = Math.ceil((1.5 * bytes.length) / record.length);
    const at = recordAfter(offsets, Math.floor((bytes.length + n * record.length) * 0.2));
    const planted = write('planted.pcap', Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: n }, () => record), bytes.subarray(at)]));
    const one = read(planted, 1);
    const two = read(planted, 2);

    expect(one.files[0]).toMatchObject({ packets: PACKETS + n });
    expect(one.files[0].error).toBeUndefined();
    expect(two.files[0].parts).toBe(1);
    expect(comparable(two)).toEqual(comparable(one));
  });

  it('should read a pcapng copy in one pass, with the same counts', () => {
    const ng = join(dir, 'base.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', base, ng]);
    const classic = read(base, 1);
    const two = read(ng, 2);

    expect(two.files).toEqual([{ source: ng, format: 'pcapng', packets: PACKETS, parts: 1 }]);
    expect({ ...(comparable(two) as object), files: [] }).toEqual({ ...(comparable(classic) as object), files: [] });
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.pcap'), /^vxscope: ENOENT: no such file or directory/],
    ['a directory', () => dir, /^vxscope: EISDIR: illegal operation on a directory/],
    ['a file that is not a capture', () => write('text.pcap', Buffer.from('hello, not a capture\n'.repeat(10))), /^vxscope: .*text\.pcap is not a pcap or pcapng capture/],
  ])('should say in one line, without a stack, why %s cannot be read', (_what, path, message) => {
    const r = spawnSync(CLI, ['read', path()], { encoding: 'utf8' });

    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('should refuse a thread count that is not a positive integer', () => {
    const r = spawnSync(CLI, ['read', '--threads', '0', base], { encoding: 'utf8' });

    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/threads \(--threads\): "0" must be an integer from 1 to 64/);
  });
});
