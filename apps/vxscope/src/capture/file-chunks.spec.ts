import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fileChunks, fileChunksSync } from './file-chunks';

describe('fileChunks / fileChunksSync', () => {
  let dir: string;
  let file: string;
  const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vx-chunks-'));
    file = join(dir, 'data.bin');
    writeFileSync(file, data);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Copies each chunk as it comes: a chunk is only valid until the next step. */
  async function collect(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<{ bytes: Buffer; sizes: number[] }> {
    const parts: Buffer[] = [];
    for await (const c of chunks) {
      parts.push(Buffer.from(c));
    }
    return { bytes: Buffer.concat(parts), sizes: parts.map((p) => p.length) };
  }

  it.each([
    [0, Infinity],
    [0, 10_000],
    [1234, 5678],
    [9_999, Infinity],
    [4096, 4096],
  ])('should yield exactly bytes %d to %d in chunks of at most the size', async (start, end) => {
    const want = data.subarray(start, Math.min(end, data.length));
    const async = await collect(fileChunks(file, start, end, 1000));
    const sync = await collect(fileChunksSync(file, start, end, 1000));

    expect(async.bytes.equals(want)).toBe(true);
    expect(sync.bytes.equals(want)).toBe(true);
    expect(Math.max(0, ...async.sizes, ...sync.sizes)).toBeLessThanOrEqual(1000);
  });

  it('should refuse fractional or negative offsets instead of letting fs.read abort the process', async () => {
    await expect(collect(fileChunks(file, 0, 100.5))).rejects.toThrow(RangeError);
    await expect(collect(fileChunksSync(file, -1))).rejects.toThrow(RangeError);
    await expect(collect(fileChunks(file, 0, Infinity, 0))).rejects.toThrow(RangeError);
  });
});
