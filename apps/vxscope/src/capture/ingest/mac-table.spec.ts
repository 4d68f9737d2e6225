import { MacTable } from './mac-table';

const fmt = (k: number | string): string => (typeof k === 'number' ? [24, 16, 8, 0].map((s) => (k >>> s) & 255).join('.') : k);
const macBuf = (n: number): Uint8Array => Uint8Array.of(0x02, 0, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);

describe(MacTable.name, () => {
  it('should keep every MAC, its VTEP and its moves while the table grows', () => {
    const sut = new MacTable(65536, fmt);
    sut.see(9, macBuf(0), 0, 'fd00::1', 1);
    sut.see(9, macBuf(0), 0, 0x0a000001, 2); // moved from an IPv6 VTEP
    sut.see(9, macBuf(1), 0, 0x0a000001, 3);
    sut.see(9, macBuf(1), 0, 'fd00::2', 4); // moved to an IPv6 VTEP
    for (let i = 2; i < 20_000; i++) {
      sut.see(i % 5, macBuf(i), 0, 0x0a000000 + (i % 16), i);
    }
    sut.see(4, macBuf(19_999), 0, 0x0a00000f, 119_999);
    // Only MACs whose set of 8 overflowed at full size (rare: 20,000 MACs in 65,536 slots).
    expect(sut.evictions).toBeLessThan(200);
    const all = sut.list();
    expect(all).toHaveLength(20_000 - sut.evictions);
    expect(all.filter((m) => m.packets !== (m.mac === '02:00:00:00:4e:1f' ? 2 : m.vni === 9 ? 2 : 1))).toEqual([]);
    expect(all.find((m) => m.mac === '02:00:00:00:00:00')).toMatchObject({ vni: 9, vtep: '10.0.0.1', previousVtep: 'fd00::1', moves: 1, firstSeen: 1, lastSeen: 2 });
    expect(all.find((m) => m.mac === '02:00:00:00:00:01')).toMatchObject({ vni: 9, vtep: 'fd00::2', previousVtep: '10.0.0.1', moves: 1 });
    expect(all.find((m) => m.mac === '02:00:00:00:4e:1f')).toMatchObject({ vni: 19_999 % 5, vtep: '10.0.0.15', firstSeen: 19_999, lastSeen: 119_999, moves: 0 });
    expect(all.find((m) => m.mac === '02:00:00:00:4e:1f')?.previousVtep).toBeUndefined();
    expect(sut.drainChanged()).toHaveLength(20_000 - sut.evictions);
    expect(sut.drainChanged()).toEqual([]);
  });

  it('should take an IPv4 VTEP from 128.0.0.0 up as uint32 or int32 alike', () => {
    const sut = new MacTable(16, fmt);
    const vtep = 0xc0a80001; // 192.168.0.1
    sut.see(1, macBuf(7), 0, vtep, 1);
    sut.see(1, macBuf(7), 0, vtep | 0, 2);
    sut.see(1, macBuf(8), 0, vtep | 0, 3);
    expect(sut.list().map((m) => [m.mac, m.vtep, m.packets, m.moves]).sort()).toEqual([
      ['02:00:00:00:00:07', '192.168.0.1', 2, 0],
      ['02:00:00:00:00:08', '192.168.0.1', 1, 0],
    ]);
  });

  it('should tell the same MAC under two VNIs apart', () => {
    const sut = new MacTable(16, fmt);
    sut.see(1, macBuf(7), 0, 1, 1);
    sut.see(2, macBuf(7), 0, 2, 1);
    expect(sut.list().map((m) => [m.vni, m.vtep, m.moves]).sort()).toEqual([
      [1, '0.0.0.1', 0],
      [2, '0.0.0.2', 0],
    ]);
  });

  it('should stay within its capacity and evict the oldest MACs', () => {
    const sut = new MacTable(64, fmt);
    for (let i = 0; i < 1000; i++) {
      sut.see(1, macBuf(i), 0, 1, i);
    }
    expect(sut.list().length).toBeLessThanOrEqual(64);
    expect(sut.evictions).toBeGreaterThanOrEqual(1000 - 64);
    expect(Math.min(...sut.list().map((m) => m.firstSeen))).toBeGreaterThan(800);
  });
});
