import { DecodeError, PcapStreamParser } from '@vx/wire';

import type { FlowRow } from './ingest/flow-table';
import { DEFAULT_INGEST_OPTIONS, Ingest, type IngestReport } from './ingest/ingest';
import { CaptureTooLargeError } from './capture-too-large.error';
import { NotACaptureError } from './not-a-capture.error';
import { emptyReadResult, mergeReadResult } from './read-merge';

/** Per file: format and packets read; `error` when the file ended early or broke off. */
export interface ReadFileEntry {
  source: string;
  format: string | undefined;
  packets: number;
  /** Parts read in parallel and merged (1: one sequential pass). */
  parts: number;
  error?: string;
}

/** `vxscope read --json` and `POST /api/captures`: the ingest report plus what the file reader saw. */
export interface ReadResult extends IngestReport {
  files: ReadFileEntry[];
  topFlows: FlowRow[];
  /** What the bounded tables could not hold: flows and MACs evicted, VTEP pairs not counted. */
  evictions: { flows: number; macs: number; pairs: number };
}

/**
 * Top flows kept from each part of a split read before they are summed: a flow near the top overall
 * is near the top of at least one part, so each part contributes more than the final top K.
 */
const PART_TOP_FACTOR = 10;

/**
 * One capture file being read through an OfflineReader's ingest. Bytes are fed in order with
 * `feed()`; `finish()` declares the end of the file.
 */
export class OfflineFile {
  private stopped = false;

  constructor(
    private readonly ingest: Ingest,
    private readonly parser: PcapStreamParser,
    private readonly entry: ReadFileEntry,
  ) {}

  /** The parser stopped at a broken record (counted under `decodeErrors`); later bytes are ignored. */
  get broken(): boolean {
    return this.stopped;
  }

  /** Everything fed so far ended on a record boundary (nothing is held back). */
  get onBoundary(): boolean {
    return this.parser.bufferedBytes === 0;
  }

  /** See `PcapStreamParser.resumeAt`: continue at stream offset `position` after the file header. */
  resumeAt(position: number): void {
    this.parser.resumeAt(position);
  }

  /**
   * Feeds chunks. A file that is not a capture at all throws NotACaptureError; a capture that breaks
   * off (truncated or corrupt record) is counted under `decodeErrors` as "pcap/…" and kept.
   * @param limitBytes stop with an error past this many bytes (uploads)
   */
  async feed(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limitBytes = Infinity): Promise<void> {
    let bytes = 0;
    try {
      for await (const chunk of chunks) {
        if (this.stopped) {
          break;
        }
        bytes += chunk.length;
        if (bytes > limitBytes) {
          throw new CaptureTooLargeError(this.entry.source, limitBytes);
        }
        this.guard(() => this.parser.push(chunk));
      }
    } finally {
      this.update();
    }
  }

  /** The end of the file: a record cut off by it counts as a broken capture. */
  finish(): void {
    if (!this.stopped) {
      this.guard(() => this.parser.end());
    }
    this.update();
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (!(err instanceof DecodeError)) {
        throw err;
      }
      if (this.parser.format === undefined) {
        throw new NotACaptureError(this.entry.source, err.message);
      }
      this.stopped = true;
      this.entry.error = err.message;
      this.ingest.countFileError(err.layer, err.reason);
    }
  }

  private update(): void {
    this.entry.format = this.parser.format;
    this.entry.packets = this.parser.packets;
  }
}

/**
 * Reads pcap/pcapng files chunk by chunk through the same ingest as live capture. The chunks are
 * consumed with `for await`, so with an asynchronous source (an upload, `fileChunks`) a large file
 * never blocks the event loop for longer than a chunk; a split `vxscope read` feeds synchronous
 * chunks and does not yield.
 * Results of other readers (parts of a file read on other threads) can be added before `result()`.
 */
export class OfflineReader {
  private readonly ingest: Ingest;
  private readonly files: ReadFileEntry[] = [];
  /** Counters drained so far and results of parts read elsewhere (flows: the parts' only). */
  private gathered: ReadResult | undefined;
  private hasParts = false;

  constructor(ports: readonly number[]) {
    this.ingest = new Ingest({ ...DEFAULT_INGEST_OPTIONS, ports, ringPerVni: 0 });
  }

  /** Starts reading `source` (one entry in `files`); feed it with the returned OfflineFile. */
  begin(source: string): OfflineFile {
    const ingest = this.ingest;
    const parser = new PcapStreamParser((buf, offset, caplen, origlen, linkType, tsSec, tsNsec) =>
      ingest.packet(buf, offset, caplen, origlen, linkType, tsSec * 1000 + tsNsec / 1e6),
    );
    const entry: ReadFileEntry = { source, format: undefined, packets: 0, parts: 1 };
    this.files.push(entry);
    return new OfflineFile(ingest, parser, entry);
  }

  /** Reads one whole capture; see `OfflineFile.feed`. */
  async read(source: string, chunks: AsyncIterable<Uint8Array>, limitBytes = Infinity): Promise<void> {
    const file = this.begin(source);
    await file.feed(chunks, limitBytes);
    file.finish();
  }

  /**
   * Moves what the ingest counted so far into the result being gathered, so that `result()` has less
   * to do: e.g. while other threads still read their parts. Flows and MACs stay in the ingest.
   */
  checkpoint(): void {
    const report = this.ingest.drain();
    if (this.gathered === undefined) {
      this.gathered = { ...emptyReadResult(this.files), ...report };
    } else {
      mergeReadResult(this.gathered, { ...emptyReadResult(), ...report }, DEFAULT_INGEST_OPTIONS.maxVnis);
    }
  }

  /**
   * Adds what another reader found in a later part of the file being read (`partial.files` has one
   * entry, for that part): its counters are summed into the result, its packets and any error go to
   * the current file's entry.
   */
  addPart(partial: ReadResult): void {
    const entry = this.files[this.files.length - 1];
    if (entry === undefined) {
      throw new Error('OfflineReader.addPart: no file begun');
    }
    this.checkpoint();
    mergeReadResult(this.gathered as ReadResult, partial, DEFAULT_INGEST_OPTIONS.maxVnis);
    this.hasParts = true;
    const [partEntry] = partial.files;
    entry.packets += partEntry.packets;
    entry.parts++;
    if (partEntry.error !== undefined) {
      entry.error = partEntry.error;
    }
  }

  /** Top flows a part reader should report so that the merged top `topK` is right. */
  static partTopK(topK: number): number {
    return topK * PART_TOP_FACTOR;
  }

  /** Everything read so far; the counters start afresh (flows and MACs are kept). */
  result(topK = 20): ReadResult {
    this.checkpoint();
    const result = this.gathered as ReadResult;
    this.gathered = undefined;
    const state = this.ingest.state(this.hasParts ? OfflineReader.partTopK(topK) : topK);
    const own = { flows: state.flowEvictions, macs: state.macEvictions, pairs: state.pairEvictions };
    if (this.hasParts) {
      mergeReadResult(result, { ...emptyReadResult(), topFlows: state.topFlows, evictions: own }, DEFAULT_INGEST_OPTIONS.maxVnis);
      result.topFlows = result.topFlows.slice(0, topK);
    } else {
      result.topFlows = state.topFlows;
      result.evictions = own;
    }
    this.hasParts = false;
    return result;
  }
}
