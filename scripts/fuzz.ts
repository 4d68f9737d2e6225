/**
 * Long fuzz run of the capture ingest (the CI run is ingest.fuzz.spec.ts, 1 M frames):
 *
 *   node -r ./test/netlink/ts-register.js scripts/fuzz.ts [--packets 10000000] [--seed N] [--probe-every 100]
 *
 * Same generator and invariants as the spec (apps/vxscope/src/capture/ingest/testing/fuzz-frames.ts).
 * Prints the seed, progress every million frames (frames/s, RSS, heap) and the final counters; exits 1
 * with the seed, frame number and frame bytes on the first broken invariant.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import type { IngestOptions } from '../apps/vxscope/src/capture/ingest/ingest';
import { FuzzFailure, runFuzz, type FuzzTotals } from '../apps/vxscope/src/capture/ingest/testing/fuzz-frames';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) {
    return fallback;
  }
  const value = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`fuzz: --${name} needs a non-negative integer, got ${process.argv[i + 1]}\n`);
    process.exit(2);
  }
  return value;
}

const packets = arg('packets', 10_000_000);
const seed = arg('seed', Math.floor(Math.random() * 0x100000000));
const probeEvery = arg('probe-every', 100);
/** Small capacities, as in the spec: VNI overflow and flow/MAC eviction run all the time. */
const ingest: IngestOptions = {
  ports: [4789, 8472],
  maxVnis: 64,
  flowCapacity: 64,
  macCapacity: 64,
  ringPerVni: 4,
  ringSnaplen: 128,
};

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en')} frames/s`;

process.stdout.write(
  `fuzz seed ${seed}: ${packets.toLocaleString('en')} frames, probe every ${probeEvery || 'never'}, ingest ${JSON.stringify(ingest)}\n`,
);
const started = Date.now();
let maxRss = 0;
let nextReport = 1_000_000;
let lastTime = started;
let lastPackets = 0;
const progress = (t: FuzzTotals): void => {
  const m = process.memoryUsage();
  maxRss = Math.max(maxRss, m.rss);
  if (t.packets >= nextReport) {
    const now = Date.now();
    process.stdout.write(
      `  ${t.packets.toLocaleString('en').padStart(12)} frames  ${rate(t.packets - lastPackets, now - lastTime).padStart(18)}  rss ${mb(m.rss)}  heap ${mb(m.heapUsed)}\n`,
    );
    nextReport += 1_000_000;
    lastTime = now;
    lastPackets = t.packets;
  }
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

try {
  const totals = runFuzz({ seed, packets, ingest, drainEvery: 1000, probeEvery, onDrain: progress });
  const ms = Date.now() - started;
  gc();
  process.stdout.write(
    `done: ${totals.packets.toLocaleString('en')} frames in ${(ms / 1000).toFixed(1)} s, ${rate(totals.packets, ms)}, ` +
      `max rss ${mb(maxRss)}, heap after gc ${mb(process.memoryUsage().heapUsed)}\n${JSON.stringify(totals, null, 2)}\n`,
  );
} catch (err) {
  if (err instanceof FuzzFailure) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
