import type { IngestReport } from './ingest';

/** The frame counters of an IngestReport: what every summing of reports adds up. */
export type PacketCounts = Pick<IngestReport, 'packets' | 'vxlanPackets' | 'gpePackets' | 'genevePackets' | 'otherPackets' | 'vniOverflow' | 'decodeErrors'>;

/** Adds the frame counters and decode errors of `from` into `into`. */
export function addPacketCounts(into: PacketCounts, from: PacketCounts): void {
  into.packets += from.packets;
  into.vxlanPackets += from.vxlanPackets;
  into.gpePackets += from.gpePackets;
  into.genevePackets += from.genevePackets;
  into.otherPackets += from.otherPackets;
  into.vniOverflow += from.vniOverflow;
  for (const [reason, n] of Object.entries(from.decodeErrors)) {
    into.decodeErrors[reason] = (into.decodeErrors[reason] ?? 0) + n;
  }
}
