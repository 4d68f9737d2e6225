import { emptyVniReport } from './ingest/vni-counters';
import type { ReadResult } from './offline-reader';
import { emptyReadResult, mergeReadResult } from './read-merge';

function result(parts: Partial<ReadResult>): ReadResult {
  return { ...emptyReadResult(), ...parts };
}

const vni = (packets: number, firstSeen: number, lastSeen: number): ReturnType<typeof emptyVniReport> => ({
  ...emptyVniReport(),
  packets,
  bytes: packets * 100,
  innerEthertypes: { '0x0800': packets },
  firstSeen,
  lastSeen,
});

const pair = (vniId: number, packets: number, firstSeen: number, lastSeen: number): ReadResult['vtepPairs'][number] => ({
  vni: vniId,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  dstPort: 4789,
  packets,
  bytes: packets * 100,
  firstSeen,
  lastSeen,
});

const flow = (srcPort: number, bytes: number): ReadResult['topFlows'][number] => ({
  vni: 1,
  ipVersion: 4,
  protocol: 6,
  src: '192.168.0.1',
  dst: '192.168.0.2',
  srcPort,
  dstPort: 80,
  packets: 1,
  bytes,
  firstSeen: 10,
  lastSeen: 20,
});

describe('mergeReadResult', () => {
  it('should sum counters, errors, VNIs, pairs and evictions of a later part', () => {
    const into = result({
      packets: 10,
      vxlanPackets: 9,
      otherPackets: 1,
      decodeErrors: { 'udp/truncated': 1 },
      vnis: { '1': vni(9, 100, 200) },
      vtepPairs: [pair(1, 9, 100, 200)],
      evictions: { flows: 1, macs: 0, pairs: 0 },
    });
    const from = result({
      packets: 5,
      vxlanPackets: 5,
      gpePackets: 0,
      decodeErrors: { 'udp/truncated': 2, 'vxlan/truncated': 1 },
      vnis: { '1': vni(3, 300, 400), '2': vni(2, 310, 320) },
      geneveVnis: { '7': { packets: 1, bytes: 50 } },
      vtepPairs: [pair(1, 3, 300, 400), pair(2, 2, 310, 320)],
      evictions: { flows: 4, macs: 1, pairs: 2 },
    });

    mergeReadResult(into, from, 4096);

    expect(into).toMatchObject({ packets: 15, vxlanPackets: 14, otherPackets: 1, vniOverflow: 0 });
    expect(into.decodeErrors).toEqual({ 'udp/truncated': 3, 'vxlan/truncated': 1 });
    expect(into.vnis['1']).toMatchObject({ packets: 12, bytes: 1200, innerEthertypes: { '0x0800': 12 }, firstSeen: 100, lastSeen: 400 });
    expect(into.vnis['2']).toMatchObject({ packets: 2 });
    expect(into.geneveVnis).toEqual({ '7': { packets: 1, bytes: 50 } });
    expect(into.vtepPairs).toEqual([pair(1, 12, 100, 400), pair(2, 2, 310, 320)].map((p) => ({ ...p, bytes: p.packets * 100 })));
    expect(into.evictions).toEqual({ flows: 5, macs: 1, pairs: 2 });
  });

  it('should keep the earlier part VNIs within the bound and count the later ones as overflow', () => {
    const into = result({ vnis: { '1': vni(5, 1, 2) }, geneveVnis: { '9': { packets: 1, bytes: 1 } }, vniOverflow: 1 });
    const from = result({ vnis: { '1': vni(1, 3, 4), '2': vni(7, 3, 4) }, geneveVnis: { '8': { packets: 4, bytes: 4 } } });

    mergeReadResult(into, from, 1);

    expect(Object.keys(into.vnis)).toEqual(['1']);
    expect(into.vnis['1'].packets).toBe(6);
    expect(into.geneveVnis).toEqual({ '9': { packets: 1, bytes: 1 } });
    expect(into.vniOverflow).toBe(1 + 7 + 4);
  });

  it('should sum a flow both parts saw and sort the flows by bytes', () => {
    const into = result({ topFlows: [flow(1, 500), flow(2, 300)] });
    const from = result({ topFlows: [flow(3, 400), flow(2, 250)] });

    mergeReadResult(into, from, 4096);

    expect(into.topFlows.map((f) => [f.srcPort, f.bytes, f.packets])).toEqual([
      [2, 550, 2],
      [1, 500, 1],
      [3, 400, 1],
    ]);
  });
});
