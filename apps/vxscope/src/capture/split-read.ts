import { findPcapRecordStart, pcapRecordLayout } from '@vx/wire';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { fileChunks, fileChunksSync } from './file-chunks';
import type { OfflineReader } from './offline-reader';
import type { ReadPartJob, ReadPartMessage, ReadPartOutcome } from './read-part';

export interface SplitReadOptions {
  /** Threads to read one file with (this one included); 1 reads sequentially. */
  readonly threads: number;
  /** A file is split only when every part gets at least this many bytes. */
  readonly minPartBytes: number;
  readonly ports: readonly number[];
  readonly topK: number;
}

/**
 * Extra bytes the first part gets, so that all parts end together: a worker ends later than this
 * thread (it drains its tables and its report crosses threads, ~50 ms). At the 350-650 MB/s a thread
 * reads here while the other works too, half of that is 10-15 MB; 16 MiB measured best.
 */
const FIRST_PART_HEAD_START = 16 * 1024 * 1024;

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
  const size = (await stat(file)).size;
  const parts = Math.min(options.threads, Math.floor(size / Math.max(1, options.minPartBytes)));
  // Workers start loading their modules now, while this thread looks for the split points.
  const workers = parts > 1 ? Array.from({ length: parts - 1 }, () => new PartWorker()) : [];
  const plan = parts > 1 ? await planParts(file, size, parts) : undefined;
  const first = reader.begin(file);
  if (plan === undefined) {
    workers.forEach((w) => w.cancel());
    await first.feed(fileChunks(file));
    first.finish();
    return;
  }
  const { header, starts } = plan;
  // A worker that starts while this thread already runs its part boots 3-4 times slower (~130 ms
  // instead of ~35: it competes with this thread's JIT and GC helpers for the other CPU), so all
  // parts start together, once the workers are up.
  await Promise.all(workers.map((w) => w.ready));
  const outcomesPending = workers.map((worker, i) =>
    worker.run({
      file,
      header,
      start: starts[i + 1],
      end: i + 2 < starts.length ? starts[i + 2] : size,
      last: i + 2 === starts.length,
      ports: options.ports,
      topK: options.topK,
    }),
  );
  await first.feed(fileChunksSync(file, 0, starts[1]));
  reader.checkpoint(); // while the workers finish
  const outcomes = await Promise.all(outcomesPending);
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
}

async function planParts(file: string, size: number, parts: number): Promise<Plan | undefined> {
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
    const headStart = Math.min(FIRST_PART_HEAD_START, Math.floor(size / parts / 4));
    const rest = size - headStart;
    for (let k = 1; k < parts; k++) {
      const nominal = Math.max(PCAP_FILE_HEADER_LENGTH, headStart + Math.floor((rest * k) / parts));
      const { bytesRead } = await handle.read(window, 0, window.length, nominal);
      const at = findPcapRecordStart(window.subarray(0, bytesRead), 0, layout);
      if (at < 0 || nominal + at <= starts[k - 1]) {
        return undefined;
      }
      starts.push(nominal + at);
    }
    return { header, starts };
  } finally {
    await handle.close();
  }
}

/**
 * A worker thread for one part, started before its job is known. A worker that fails or dies yields
 * `ok: false`. The outcome is taken as soon as it arrives: the worker's teardown does not hold the
 * process up.
 */
class PartWorker {
  private readonly worker = new Worker(join(__dirname, 'read.worker.js'));
  /** The worker has loaded its modules and waits for its job (false: it failed first). */
  readonly ready: Promise<boolean>;
  private readonly outcome: Promise<ReadPartOutcome>;

  constructor() {
    let setReady: (ok: boolean) => void = () => undefined;
    this.ready = new Promise((resolve) => (setReady = resolve));
    this.outcome = new Promise((resolve) => {
      const fail = (error: string): void => {
        setReady(false);
        resolve({ ok: false, error });
      };
      this.worker.on('message', (m: ReadPartMessage) => {
        if ('ready' in m) {
          setReady(true);
          return;
        }
        this.worker.unref();
        resolve(m);
      });
      this.worker.once('error', (err) => fail(err.message));
      this.worker.once('exit', () => fail('worker exited without a result'));
    });
  }

  run(job: ReadPartJob): Promise<ReadPartOutcome> {
    this.worker.postMessage(job);
    return this.outcome;
  }

  cancel(): void {
    void this.worker.terminate();
  }
}
