import type { WireDetectionRow } from './detect.types';
import { DetectionStore } from './detection-store';

const row = (o: Partial<WireDetectionRow> = {}): WireDetectionRow => ({
  kind: 'unknown-vni',
  reason: 'no-device',
  vni: 101,
  vtep: '10.0.0.1',
  count: 3,
  firstSeen: 1000,
  lastSeen: 1100,
  detail: 'VNI 101 from VTEP 10.0.0.1',
  ...o,
});

describe(DetectionStore.name, () => {
  it('should report a key at once the first time, then only in the summary', () => {
    const sut = new DetectionStore();
    expect(sut.add('h1', row())).toEqual({ netns: 'h1', kind: 'unknown-vni', reason: 'no-device', vni: 101, vtep: '10.0.0.1', count: 3, total: 3, firstSeen: 1000, lastSeen: 1100, detail: 'VNI 101 from VTEP 10.0.0.1' });
    expect(sut.add('h1', row({ count: 5, firstSeen: 1200, lastSeen: 1300 }))).toBeUndefined();
    expect(sut.add('h1', row({ count: 2, firstSeen: 1400, lastSeen: 1500 }))).toBeUndefined();
    expect(sut.summary()).toEqual([expect.objectContaining({ netns: 'h1', count: 7 })]);
    expect(sut.summary()).toEqual([]);
    expect(sut.list()).toEqual([expect.objectContaining({ netns: 'h1', count: 10, firstSeen: 1000, lastSeen: 1500 })]);
  });

  it('should keep keys apart by namespace, kind, VNI, VTEP and MAC, and filter them', () => {
    const sut = new DetectionStore();
    sut.add('h1', row());
    sut.add('h2', row());
    sut.add('h1', row({ vni: 102 }));
    sut.add('h1', row({ kind: 'unknown-unicast', reason: 'flooded', mac: '02:00:00:00:00:01', vni: 100 }));
    expect(sut.list()).toHaveLength(4);
    expect(sut.list({ netns: 'h1' })).toHaveLength(3);
    expect(sut.list({ netns: 'h1', kind: 'unknown-vni', vni: 102 })).toEqual([expect.objectContaining({ vni: 102 })]);
  });

  it('should report again at once after a quiet spell, with what was still pending', () => {
    const sut = new DetectionStore({ maxRecords: 10, examplesPerRecord: 2, quietMs: 60_000 });
    sut.add('h1', row());
    sut.add('h1', row({ count: 1, firstSeen: 2000, lastSeen: 2000 }));
    expect(sut.add('h1', row({ count: 4, firstSeen: 90_000, lastSeen: 90_000 }))).toEqual(expect.objectContaining({ count: 5 }));
    expect(sut.summary()).toEqual([]);
  });

  it('should keep the latest distinct examples and evict the least recently updated key at the bound', () => {
    const sut = new DetectionStore({ maxRecords: 2, examplesPerRecord: 2, quietMs: 60_000 });
    sut.add('h1', row({ detail: 'a' }));
    sut.add('h1', row({ detail: 'b', lastSeen: 1200 }));
    sut.add('h1', row({ detail: 'c', lastSeen: 1300 }));
    sut.add('h1', row({ detail: 'b', lastSeen: 1400 }));
    expect(sut.list()[0].examples.map((e) => e.detail)).toEqual(['c', 'b']);
    sut.add('h2', row());
    sut.add('h1', row({ detail: 'again' })); // h1 is now the most recent
    sut.add('h3', row());
    expect(sut.list().map((r) => r.netns).sort()).toEqual(['h1', 'h3']);
    expect(sut.evictions).toBe(1);
  });
});
