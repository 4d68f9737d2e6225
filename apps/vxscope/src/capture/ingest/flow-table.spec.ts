import { FlowTable, type FlowKeyInput } from './flow-table';

const flow = (n: number): FlowKeyInput => ({ ipVersion: 4, protocol: 6, srcPort: 1000 + (n % 50000), dstPort: 80, src4: 0x0a000000 + n, dst4: 0x0a0000ff, srcOffset: -1, dstOffset: -1 });
const EMPTY = new Uint8Array(0);

describe(FlowTable.name, () => {
  it('should sum packets and bytes per flow and list the top by bytes', () => {
    const sut = new FlowTable(64);
    sut.add(EMPTY, 1, flow(1), 100, 1);
    sut.add(EMPTY, 1, flow(1), 100, 2);
    sut.add(EMPTY, 1, flow(2), 500, 3);
    sut.add(EMPTY, 2, flow(1), 10, 4); // same 5-tuple, other VNI: another flow
    expect(sut.top(2).map((f) => [f.vni, f.src, f.bytes, f.packets])).toEqual([
      [1, '10.0.0.2', 500, 1],
      [1, '10.0.0.1', 200, 2],
    ]);
    expect(sut.size).toBe(3);
  });

  it('should stay within its capacity, count evictions and keep the heavy flows', () => {
    const sut = new FlowTable(256);
    for (let i = 0; i < 10; i++) {
      for (let r = 0; r < 100; r++) {
        sut.add(EMPTY, 7, flow(i), 1000, r);
      }
    }
    for (let i = 100; i < 100_000; i++) {
      sut.add(EMPTY, 7, flow(i), 60, i);
    }
    expect(sut.size).toBeLessThanOrEqual(sut.capacity);
    expect(sut.evictions).toBeGreaterThan(90_000);
    expect(sut.top(10).map((f) => f.bytes)).toEqual(new Array(10).fill(100_000));
  });

  it('should list the top k as a stable sort of every flow by bytes would, ties included', () => {
    const sut = new FlowTable(4096);
    for (let i = 0; i < 3000; i++) {
      sut.add(EMPTY, 1, flow(i), 60 * ((i * 7919) % 13), i); // 13 byte counts: many ties
    }
    const all = sut.top(5000); // sorts every used slot
    const key = (f: { src: string; srcPort: number }): string => `${f.src}:${f.srcPort}`;

    expect(all.length).toBe(sut.size);
    for (const k of [0, 1, 5, 20, 300, 1024, sut.size + 10]) {
      expect(sut.top(k).map(key)).toEqual(all.slice(0, k).map(key));
    }
  });

  it('should format IPv6 flows from the packet bytes', () => {
    const sut = new FlowTable(16);
    const buf = new Uint8Array(32);
    buf.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0);
    buf.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 16);
    sut.add(buf, 3, { ipVersion: 6, protocol: 58, srcPort: 128, dstPort: 0, src4: 0, dst4: 0, srcOffset: 0, dstOffset: 16 }, 100, 1);
    expect(sut.top(1)[0]).toMatchObject({ src: 'fd00::1', dst: 'fd00::2', protocol: 58, ipVersion: 6 });
  });
});
