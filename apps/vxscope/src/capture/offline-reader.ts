import { DecodeError, PcapStreamParser } from '@vx/wire';

import type { FlowRow } from './ingest/flow-table';
import { DEFAULT_INGEST_OPTIONS, Ingest, type IngestReport } from './ingest/ingest';
import { CaptureTooLargeError } from './capture-too-large.error';
import { NotACaptureError } from './not-a-capture.error';

/** `vxscope read --json` and `POST /api/captures`: the ingest report plus what the file reader saw. */
export interface ReadResult extends IngestReport {
  /** Per file: format and packets read; `error` when the file ended early or broke off. */
  files: { source: string; format: string | undefined; packets: number; error?: string }[];
  topFlows: FlowRow[];
  /** What the bounded tables could not hold: flows and MACs evicted, VTEP pairs not counted. */
  evictions: { flows: number; macs: number; pairs: number };
}

/**
 * Reads pcap/pcapng files chunk by chunk through the same ingest as live capture. The stream is
 * consumed with `for await`, so a large file never blocks the event loop for longer than a chunk.
 */
export class OfflineReader {
  private readonly ingest: Ingest;
  private readonly files: ReadResult['files'] = [];

  constructor(ports: readonly number[]) {
    this.ingest = new Ingest({ ...DEFAULT_INGEST_OPTIONS, ports, ringPerVni: 0 });
  }

  /**
   * Reads one capture. A file that is not a capture at all throws NotACaptureError; a capture that
   * breaks off (truncated or corrupt record) is counted under `decodeErrors` as "pcap/…" and kept.
   * @param limitBytes stop with an error past this many bytes (uploads)
   */
  async read(source: string, chunks: AsyncIterable<Uint8Array>, limitBytes = Infinity): Promise<void> {
    const ingest = this.ingest;
    const parser = new PcapStreamParser((buf, offset, caplen, origlen, linkType, tsSec, tsNsec) =>
      ingest.packet(buf, offset, caplen, origlen, linkType, tsSec * 1000 + tsNsec / 1e6),
    );
    const entry: ReadResult['files'][number] = { source, format: undefined, packets: 0 };
    this.files.push(entry);
    let bytes = 0;
    try {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        if (bytes > limitBytes) {
          throw new CaptureTooLargeError(source, limitBytes);
        }
        parser.push(chunk);
      }
      parser.end();
    } catch (err) {
      if (!(err instanceof DecodeError)) {
        throw err;
      }
      if (parser.format === undefined) {
        throw new NotACaptureError(source, err.message);
      }
      entry.error = err.message;
      ingest.countFileError(err.layer, err.reason);
    } finally {
      entry.format = parser.format;
      entry.packets = parser.packets;
    }
  }

  result(topK = 20): ReadResult {
    const report = this.ingest.drain();
    const state = this.ingest.state(topK);
    return {
      ...report,
      files: this.files,
      topFlows: state.topFlows,
      evictions: { flows: state.flowEvictions, macs: state.macEvictions, pairs: state.pairEvictions },
    };
  }
}
