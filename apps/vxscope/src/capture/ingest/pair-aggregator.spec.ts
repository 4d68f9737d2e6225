import { PairAggregator } from './pair-aggregator';

const fmt = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

describe(PairAggregator.name, () => {
  it('should sum packets per VNI, VTEP pair and port, and start afresh after a flush', () => {
    const sut = new PairAggregator(fmt);
    const a = 0x0a0b0001;
    const b = 0x0a0b0002;
    sut.add(1, 4789, a, b, 100, 1000);
    sut.add(1, 4789, a, b, 50, 1010);
    sut.add(1, 4789, b, a, 70, 1005);
    sut.add(2, 4789, a, b, 10, 1020);
    sut.add(1, 8472, a, b, 10, 1030);
    sut.add(1, 4789, 'fd00::1', 'fd00::2', 90, 1040);
    const out = sut.flush();
    expect(out).toEqual(
      expect.arrayContaining([
        { vni: 1, src: '10.11.0.1', dst: '10.11.0.2', dstPort: 4789, packets: 2, bytes: 150, firstSeen: 1000, lastSeen: 1010 },
        { vni: 1, src: '10.11.0.2', dst: '10.11.0.1', dstPort: 4789, packets: 1, bytes: 70, firstSeen: 1005, lastSeen: 1005 },
        { vni: 2, src: '10.11.0.1', dst: '10.11.0.2', dstPort: 4789, packets: 1, bytes: 10, firstSeen: 1020, lastSeen: 1020 },
        { vni: 1, src: '10.11.0.1', dst: '10.11.0.2', dstPort: 8472, packets: 1, bytes: 10, firstSeen: 1030, lastSeen: 1030 },
        { vni: 1, src: 'fd00::1', dst: 'fd00::2', dstPort: 4789, packets: 1, bytes: 90, firstSeen: 1040, lastSeen: 1040 },
      ]),
    );
    expect(out).toHaveLength(5);
    expect(sut.flush()).toEqual([]);
  });

  it('should take VTEPs from 128.0.0.0 up as uint32 or int32 alike', () => {
    const sut = new PairAggregator(fmt);
    const a = 0xc0a80001;
    const b = 0xac100002;
    sut.add4(1, 4789, a, b, 100, 1000);
    sut.add4(1, 4789, a | 0, b | 0, 50, 1010);
    expect(sut.flush()).toEqual([{ vni: 1, src: '192.168.0.1', dst: '172.16.0.2', dstPort: 4789, packets: 2, bytes: 150, firstSeen: 1000, lastSeen: 1010 }]);
  });

  it('should keep the largest VNI and port apart', () => {
    const sut = new PairAggregator(fmt);
    sut.add(16777215, 65535, 1, 2, 1, 1);
    sut.add(16777214, 65535, 1, 2, 1, 1);
    expect(sut.flush().map((d) => [d.vni, d.dstPort])).toEqual([
      [16777215, 65535],
      [16777214, 65535],
    ]);
  });
});

describe(`${PairAggregator.name} table`, () => {
  it('should grow past its initial size with exact counts, in first-seen order per (VNI, port, source)', () => {
    const sut = new PairAggregator(fmt, 8192);
    for (let r = 0; r < 3; r++) {
      for (let i = 0; i < 5000; i++) {
        sut.add4(i % 7, 4789, 0x0a000000 + (i % 100), 0x0b000000 + i, 10 + r, 100 + r);
      }
    }
    const out = sut.flush();
    expect(out).toHaveLength(5000);
    expect(out.every((d) => d.packets === 3 && d.bytes === 33 && d.firstSeen === 100 && d.lastSeen === 102)).toBe(true);
    expect(out.slice(0, 2).map((d) => [d.vni, d.src, d.dst])).toEqual([
      [0, '10.0.0.0', '11.0.0.0'],
      [0, '10.0.0.0', '11.0.2.188'], // i = 700: the next with VNI 0 and source 0,
    ]);
    expect(sut.evictions).toBe(0);
    expect(sut.flush()).toEqual([]);
  });

  it('should count pairs beyond its capacity as evictions instead of growing', () => {
    const sut = new PairAggregator(fmt, 1000);
    for (let i = 0; i < 1500; i++) {
      sut.add4(1, 4789, 1, i, 1, 1);
      sut.add(1, 4789, 'fd00::1', `fd00::${i.toString(16)}`, 1, 1);
    }
    expect(sut.flush()).toHaveLength(2000);
    expect(sut.evictions).toBe(1000);
    sut.add4(1, 4789, 1, 2, 1, 1);
    expect(sut.flush()).toHaveLength(1);
  });
});
