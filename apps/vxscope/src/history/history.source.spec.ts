import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { HISTORY_FILE, HistorySource } from './history.source';
import type { NewHistoryRow } from './history.types';

const T0 = Date.parse('2025-03-01T12:00:00Z');

const row = (i: number, patch: Partial<NewHistoryRow> = {}): NewHistoryRow => ({
  ts: T0 + i * 1000,
  kind: 'fdb',
  netns: 'h1',
  change: 'added',
  mac: `02:00:00:00:00:${(i % 256).toString(16).padStart(2, '0')}`,
  vni: 1,
  vtep: '10.0.0.2',
  device: 'vxlan0',
  payload: { i },
  ...patch,
});

describe(HistorySource.name, () => {
  let dir: string;
  let sut: HistorySource;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vxhist-'));
    sut = new HistorySource({ dataDir: path.join(dir, 'data') });
    sut.open();
  });

  afterEach(() => {
    sut.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should create the data directory and the file', () => {
    expect(sut.file).toBe(path.join(dir, 'data', HISTORY_FILE));
    expect(sut.isOpen).toBe(true);
    expect(sut.count()).toBe(0);
  });

  it('should return rows newest first, with the payload as JSON and absent columns as null', () => {
    sut.insert([
      row(1),
      row(2, { kind: 'link', mac: undefined, vni: undefined, vtep: undefined, payload: { link: 'x' } }),
    ]);
    const rows = sut.query({ limit: 10 });
    expect(rows.map((r) => r.ts)).toEqual([T0 + 2000, T0 + 1000]);
    expect(rows[0]).toMatchObject({
      kind: 'link',
      mac: null,
      vni: null,
      vtep: null,
      device: 'vxlan0',
      payload: '{"link":"x"}',
    });
    expect(rows[1]).toMatchObject({
      kind: 'fdb',
      mac: '02:00:00:00:00:01',
      vni: 1,
      vtep: '10.0.0.2',
      netns: 'h1',
      change: 'added',
    });
  });

  it('should apply every filter', () => {
    sut.insert([
      row(1),
      row(2, { netns: 'h2' }),
      row(3, { vni: 7 }),
      row(4, { vtep: '10.0.0.3' }),
      row(5, { kind: 'neigh' }),
      row(6, { mac: '02:00:00:00:00:aa' }),
    ]);
    const ids = (f: Parameters<HistorySource['query']>[0]): number[] => sut.query(f).map((r) => r.ts - T0);
    expect(ids({ netns: 'h2', limit: 10 })).toEqual([2000]);
    expect(ids({ vni: 7, limit: 10 })).toEqual([3000]);
    expect(ids({ vtep: '10.0.0.3', limit: 10 })).toEqual([4000]);
    expect(ids({ kind: 'neigh', limit: 10 })).toEqual([5000]);
    expect(ids({ mac: '02:00:00:00:00:aa', limit: 10 })).toEqual([6000]);
    expect(ids({ since: T0 + 2000, until: T0 + 4000, limit: 10 })).toEqual([4000, 3000, 2000]);
    expect(ids({ kind: 'fdb', netns: 'h1', vni: 1, vtep: '10.0.0.2', since: T0 + 1500, limit: 10 })).toEqual([6000]);
  });

  it('should page by the last id seen', () => {
    sut.insert(Array.from({ length: 25 }, (_, i) => row(i)));
    const seen: number[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = sut.query({ beforeId, limit: 10 });
      seen.push(...page.map((r) => r.id));
      if (page.length < 10) {
        break;
      }
      beforeId = page[page.length - 1].id;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });

  it('should delete rows older than a time, a chunk at a time', () => {
    sut.insert(Array.from({ length: 10 }, (_, i) => row(i)));
    expect(sut.deleteOlderThan(T0 + 6000, 4)).toBe(4);
    expect(sut.deleteOlderThan(T0 + 6000, 4)).toBe(2);
    expect(sut.deleteOlderThan(T0 + 6000, 4)).toBe(0);
    expect(sut.query({ limit: 100 }).map((r) => r.ts - T0)).toEqual([9000, 8000, 7000, 6000]);
  });

  it('should keep only the newest rows beyond a row count, a chunk at a time', () => {
    sut.insert(Array.from({ length: 10 }, (_, i) => row(i)));
    expect(sut.deleteBeyond(3, 5)).toBe(5);
    expect(sut.deleteBeyond(3, 5)).toBe(2);
    expect(sut.deleteBeyond(3, 5)).toBe(0);
    expect(sut.query({ limit: 100 }).map((r) => r.ts - T0)).toEqual([9000, 8000, 7000]);
  });

  it('should never reuse the ids of pruned rows, so a cursor stays valid', () => {
    sut.insert([row(1), row(2)]);
    const last = sut.query({ limit: 1 })[0].id;
    sut.deleteBeyond(0, 10);
    sut.insert([row(3)]);
    expect(sut.query({ limit: 1 })[0].id).toBeGreaterThan(last);
  });

  it('should keep everything across a close and a reopen', () => {
    sut.insert(Array.from({ length: 5 }, (_, i) => row(i)));
    sut.close();
    expect(sut.isOpen).toBe(false);
    expect(() => sut.query({ limit: 1 })).toThrow(/not open/);

    const again = new HistorySource({ dataDir: path.join(dir, 'data') });
    again.open();
    expect(again.count()).toBe(5);
    again.insert([row(9)]);
    expect(again.query({ limit: 1 })[0].ts).toBe(T0 + 9000);
    again.close();
    sut.open();
  });
});
