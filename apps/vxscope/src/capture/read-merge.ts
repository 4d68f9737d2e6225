import type { PairDelta } from '../collector/collector.protocol';
import type { FlowRow } from './ingest/flow-table';
import { addPacketCounts } from './ingest/packet-counts';
import { mergeVniReport } from './ingest/vni-counters';
import type { ReadResult } from './offline-reader';

/** A result with nothing counted, listing `files`. */
export function emptyReadResult(files: ReadResult['files'] = []): ReadResult {
  return {
    packets: 0,
    vxlanPackets: 0,
    gpePackets: 0,
    genevePackets: 0,
    otherPackets: 0,
    decodeErrors: {},
    vnis: {},
    geneveVnis: {},
    vtepPairs: [],
    vniOverflow: 0,
    files,
    topFlows: [],
    evictions: { flows: 0, macs: 0, pairs: 0 },
  };
}

/**
 * Adds the result of reading a LATER part of the same input (`from`) into `into`, as if one reader
 * had read both parts in order: counters are summed; VNIs (VXLAN and GENEVE) are kept up to
 * `maxVnis`, further VNIs' packets count in `vniOverflow`, as one reader would count them; VTEP pairs
 * and top flows that both parts saw are summed (first and last seen widened). `topFlows` is left
 * sorted by bytes and NOT cut: the caller cuts it to its K. `files` is left alone.
 */
export function mergeReadResult(into: ReadResult, from: ReadResult, maxVnis: number): void {
  addPacketCounts(into, from);
  // Each VNI table keeps Ingest's bound; the earlier part's VNIs came first, so they stay.
  let vnis = Object.keys(into.vnis).length;
  for (const [vni, report] of Object.entries(from.vnis)) {
    const mine = into.vnis[vni];
    if (mine !== undefined) {
      mergeVniReport(mine, report);
    } else if (vnis < maxVnis) {
      into.vnis[vni] = report;
      vnis++;
    } else {
      into.vniOverflow += report.packets;
    }
  }
  let geneveVnis = Object.keys(into.geneveVnis).length;
  for (const [vni, g] of Object.entries(from.geneveVnis)) {
    const mine = into.geneveVnis[vni];
    if (mine !== undefined) {
      mine.packets += g.packets;
      mine.bytes += g.bytes;
    } else if (geneveVnis < maxVnis) {
      into.geneveVnis[vni] = { ...g };
      geneveVnis++;
    } else {
      into.vniOverflow += g.packets;
    }
  }
  into.vtepPairs = sumByKey(into.vtepPairs, from.vtepPairs, (p) => p.vni * 0x10000 + p.dstPort, (p) => `${p.src}>${p.dst}`);
  into.topFlows = sumByKey(
    into.topFlows,
    from.topFlows,
    (f) => (f.vni * 0x100 + f.protocol) * 0x10 + f.ipVersion,
    (f) => `${f.src}|${f.srcPort}|${f.dst}|${f.dstPort}`,
  ).sort((a, b) => b.bytes - a.bytes);
  into.evictions.flows += from.evictions.flows;
  into.evictions.macs += from.evictions.macs;
  into.evictions.pairs += from.evictions.pairs;
}

type Row = { -readonly [K in keyof (PairDelta | FlowRow)]: (PairDelta | FlowRow)[K] };

/**
 * Rows of `a` then the new rows of `b`; a row of `b` whose key is in `a` is added to that row (packets
 * and bytes summed, first and last seen widened; rows of `a` are changed in place). The key is a
 * number and a string, so that no long key string is built per row.
 */
function sumByKey<T extends Row>(a: T[], b: T[], numberKey: (row: T) => number, stringKey: (row: T) => string): T[] {
  const index = new Map<number, Map<string, T>>();
  const add = (row: T): void => {
    const n = numberKey(row);
    let inner = index.get(n);
    if (inner === undefined) {
      inner = new Map();
      index.set(n, inner);
    }
    inner.set(stringKey(row), row);
  };
  a.forEach(add);
  const rows = a.slice();
  for (const row of b) {
    const mine = index.get(numberKey(row))?.get(stringKey(row));
    if (mine === undefined) {
      rows.push(row);
      add(row);
    } else {
      mine.packets += row.packets;
      mine.bytes += row.bytes;
      mine.firstSeen = Math.min(mine.firstSeen, row.firstSeen);
      mine.lastSeen = Math.max(mine.lastSeen, row.lastSeen);
    }
  }
  return rows;
}
