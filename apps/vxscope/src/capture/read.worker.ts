/**
 * Worker thread of `vxscope read`: reads one later part of a classic pcap file through its own
 * ingest and posts the result (see split-read.ts). Loaded by path, so it imports only what it needs.
 */
import { parentPort } from 'node:worker_threads';

import { fileChunksSync } from './file-chunks';
import { OfflineReader } from './offline-reader';
import type { ReadPartJob, ReadPartMessage, ReadPartOutcome } from './read-part';

async function readPart(job: ReadPartJob): Promise<ReadPartOutcome> {
  const reader = new OfflineReader(job.ports);
  const file = reader.begin(job.file);
  await file.feed([job.header]);
  file.resumeAt(job.start);
  await file.feed(fileChunksSync(job.file, job.start, job.end));
  const onBoundary = file.onBoundary;
  if (job.last) {
    file.finish();
  }
  return { ok: true, onBoundary, broken: file.broken, result: reader.result(OfflineReader.partTopK(job.topK)) };
}

// The job comes as the first message: the thread is started (and this module loaded) while the
// main thread still looks for where the parts start.
parentPort?.once('message', (job: ReadPartJob) => {
  readPart(job).then(
    (outcome) => parentPort?.postMessage(outcome satisfies ReadPartMessage),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ReadPartMessage),
  );
});
parentPort?.postMessage({ ready: true } satisfies ReadPartMessage);
