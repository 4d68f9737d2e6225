import { findPcapRecordStart, pcapRecordLayout } from '@vx/wire';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { fileChunks } from './file-chunks';
import type { OfflineReader } from './offline-reader';
import type { ReadPartJob, ReadPartOutcome } from './read-part';

export interface SplitReadOptions {
  /** Threads to read one file with (this one included); 1 reads sequentially. */
  readonly threads: number;
  /** A file is split only when every part gets at least this many bytes. */
  readonly minPartBytes: number;
  readonly ports: readonly number[];
  readonly topK: number;
}

/** Bytes searched after each nominal split offset for a record start. */
const RESYNC_WINDOW = 256 * 1024;
const PCAP_FILE_HEADER_LENGTH = 24;

/**
 * Reads one capture file into `reader`, splitting a large classic pcap file into byte ranges read at
 * the same time: this thread reads the first part, worker threads the others, each with its own
 * ingest, and their results are summed (`OfflineReader.addPart`).
 *
 * Classic pcap has no record marker, so each later part starts at a guessed record start
 * (`findPcapRecordStart`). The guess is checked, not trusted: each part is parsed from a proven
 * record start (the file header, or a start proven by the part before it), and must end exactly
 * on the next part's start. If any part does not, the workers' results are dropped and this thread
 * goes on reading the rest of the file itself, so the result is always what one sequential pass
 * gives (up to the bounded tables: which flows and MACs are evicted depends on the split). A
 * broken record in one part ends the read there, as it ends a sequential read. pcapng files,
 * small files and `threads: 1` are read in one pass.
 */
export async function readCaptureFile(reader: OfflineReader, file: string, options: SplitReadOptions): Promise<void> {
  const plan = await planParts(file, options);
  const first = reader.begin(file);
  if (plan === undefined) {
    await first.feed(fileChunks(file));
    first.finish();
    return;
  }
  const { header, starts, size } = plan;
  const workers = starts.slice(1).map((start, i) =>
    runPart({
      file,
      header,
      start,
      end: i + 2 < starts.length ? starts[i + 2] : size,
      last: i + 2 === starts.length,
      ports: options.ports,
      topK: options.topK,
    }),
  );
  await first.feed(fileChunks(file, 0, starts[1]));
  const outcomes = await Promise.all(workers);
  if (first.broken) {
    return; // a sequential read stops at the broken record too
  }
  const chained = first.onBoundary && outcomes.every((o, i) => o.ok && (o.broken || i === outcomes.length - 1 || o.onBoundary));
  if (!chained) {
    await first.feed(fileChunks(file, starts[1]));
    first.finish();
    return;
  }
  for (const outcome of outcomes) {
    if (outcome.ok) {
      reader.addPart(outcome.result);
    }
    if (!outcome.ok || outcome.broken) {
      break;
    }
  }
}

interface Plan {
  readonly header: Uint8Array;
  /** Byte offset of each part: 0 for the first, a guessed record start for the others. */
  readonly starts: readonly number[];
  readonly size: number;
}

async function planParts(file: string, options: SplitReadOptions): Promise<Plan | undefined> {
  const size = (await stat(file)).size;
  const parts = Math.min(options.threads, Math.floor(size / Math.max(1, options.minPartBytes)));
  if (parts < 2) {
    return undefined;
  }
  const handle = await open(file, 'r');
  try {
    const header = new Uint8Array(PCAP_FILE_HEADER_LENGTH);
    await handle.read(header, 0, header.length, 0);
    const layout = pcapRecordLayout(header);
    if (layout === undefined) {
      return undefined; // pcapng, or not a capture: the sequential reader says which
    }
    const starts = [0];
    const window = new Uint8Array(RESYNC_WINDOW);
    for (let k = 1; k < parts; k++) {
      const nominal = Math.max(PCAP_FILE_HEADER_LENGTH, Math.floor((size * k) / parts));
      const { bytesRead } = await handle.read(window, 0, window.length, nominal);
      const at = findPcapRecordStart(window.subarray(0, bytesRead), 0, layout);
      if (at < 0 || nominal + at <= starts[k - 1]) {
        return undefined;
      }
      starts.push(nominal + at);
    }
    return { header, starts, size };
  } finally {
    await handle.close();
  }
}

/** Runs one part on a worker thread; a worker that fails or dies yields `ok: false`. */
function runPart(job: ReadPartJob): Promise<ReadPartOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(join(__dirname, 'read.worker.js'), { workerData: job });
    let outcome: ReadPartOutcome = { ok: false, error: 'worker exited without a result' };
    worker.once('message', (m: ReadPartOutcome) => (outcome = m));
    worker.once('error', (err) => (outcome = { ok: false, error: err.message }));
    worker.once('exit', () => resolve(outcome));
  });
}
