import type { PairDelta } from '../collector/collector.protocol';
import type { FlowRow } from './ingest/flow-table';
import { addPacketCounts } from './ingest/packet-counts';
import { mergeVniReport } from './ingest/vni-counters';
import type { ReadResult } from './offline-reader';

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
  for (const [vni, report] of Object.entries(from.vnis)) {
    const mine = into.vnis[vni];
    if (mine !== undefined) {
      mergeVniReport(mine, report);
    } else if (Object.keys(into.vnis).length < maxVnis) {
      into.vnis[vni] = report;
    } else {
      into.vniOverflow += report.packets;
    }
  }
  for (const [vni, g] of Object.entries(from.geneveVnis)) {
    const mine = into.geneveVnis[vni];
    if (mine !== undefined) {
      mine.packets += g.packets;
      mine.bytes += g.bytes;
    } else if (Object.keys(into.geneveVnis).length < maxVnis) {
      into.geneveVnis[vni] = { ...g };
    } else {
      into.vniOverflow += g.packets;
    }
  }
  into.vtepPairs = sumByKey(into.vtepPairs, from.vtepPairs, (p) => `${p.vni}|${p.src}|${p.dst}|${p.dstPort}`);
  into.topFlows = sumByKey(
    into.topFlows,
    from.topFlows,
    (f) => `${f.vni}|${f.ipVersion}|${f.protocol}|${f.src}|${f.srcPort}|${f.dst}|${f.dstPort}`,
  ).sort((a, b) => b.bytes - a.bytes);
  into.evictions.flows += from.evictions.flows;
  into.evictions.macs += from.evictions.macs;
  into.evictions.pairs += from.evictions.pairs;
}

/** Rows of `a` then the new rows of `b`; rows with the same key have packets and bytes summed. */
function sumByKey<T extends PairDelta | FlowRow>(a: T[], b: T[], key: (row: T) => string): T[] {
  const rows = new Map<string, T>();
  for (const row of a) {
    rows.set(key(row), row);
  }
  for (const row of b) {
    const k = key(row);
    const mine = rows.get(k);
    rows.set(
      k,
      mine === undefined
        ? row
        : {
            ...mine,
            packets: mine.packets + row.packets,
            bytes: mine.bytes + row.bytes,
            firstSeen: Math.min(mine.firstSeen, row.firstSeen),
            lastSeen: Math.max(mine.lastSeen, row.lastSeen),
          },
    );
  }
  return [...rows.values()];
}
