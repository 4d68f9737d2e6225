import { FdbIndex } from './fdb-index';

const split = (mac: number): [number, number] => [Math.floor(mac / 0x100000000), mac % 0x100000000 | 0];

describe(FdbIndex.name, () => {
  it('should find what was set under (VNI, MAC), including MACs with the top bits set', () => {
    const sut = new FdbIndex<string>();
    const mac = 0xffeeddccbbaa;
    sut.set(100, mac, 'a');
    sut.set(101, mac, 'b');
    sut.set(100, 0, 'zero');
    expect(sut.get(100, ...split(mac))).toBe('a');
    expect(sut.get(101, ...split(mac))).toBe('b');
    expect(sut.get(100, 0, 0)).toBe('zero');
    expect(sut.get(102, ...split(mac))).toBeUndefined();
    sut.set(100, mac, 'c');
    expect(sut.get(100, ...split(mac))).toBe('c');
    expect(sut.size).toBe(3);
  });

  it('should agree with a Map through random sets and deletes while it grows', () => {
    const sut = new FdbIndex<number>(16);
    const model = new Map<string, number>();
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const vni = rnd(4);
      const mac = 0x025c00000000 + rnd(600) * 0x10001;
      const key = `${vni}/${mac}`;
      if (rnd(3) === 0) {
        sut.delete(vni, mac);
        model.delete(key);
      } else {
        sut.set(vni, mac, step);
        model.set(key, step);
      }
    }
    expect(sut.size).toBe(model.size);
    for (let vni = 0; vni < 4; vni++) {
      for (let m = 0; m < 600; m++) {
        const mac = 0x025c00000000 + m * 0x10001;
        expect(sut.get(vni, ...split(mac))).toBe(model.get(`${vni}/${mac}`));
      }
    }
    sut.clear();
    expect(sut.size).toBe(0);
    expect(sut.get(0, ...split(0x025c00000000))).toBeUndefined();
  });
});
