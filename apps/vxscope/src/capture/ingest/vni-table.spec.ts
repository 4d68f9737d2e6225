import { VniTable } from './vni-table';

describe(VniTable.name, () => {
  it('should map VNIs (including 0, the largest and -1) in insertion order, up to its bound', () => {
    const sut = new VniTable<string>(5);
    for (const vni of [16777215, 0, -1, 42, 7]) {
      expect(sut.add(vni, `v${vni}`)).toBe(true);
    }
    expect(sut.add(8, 'v8')).toBe(false);
    expect([sut.get(0), sut.get(-1), sut.get(16777215), sut.get(42), sut.get(7), sut.get(8), sut.get(1)]).toEqual(['v0', 'v-1', 'v16777215', 'v42', 'v7', undefined, undefined]);
    expect([...sut.entries()].map(([vni]) => vni)).toEqual([16777215, 0, -1, 42, 7]);
    sut.clear();
    expect(sut.size).toBe(0);
    expect(sut.get(42)).toBeUndefined();
  });

  it('should find every one of many VNIs that collide in the table', () => {
    const sut = new VniTable<number>(4096);
    for (let i = 0; i < 4096; i++) {
      sut.add(i * 4096, i);
    }
    expect(Array.from({ length: 4096 }, (_, i) => sut.get(i * 4096))).toEqual(Array.from({ length: 4096 }, (_, i) => i));
  });
});
