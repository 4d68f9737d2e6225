import { CommandError, type CommandRunner } from './command.runner';
import type { LabEndpoint, LabRecord } from './lab.types';

export interface PairResult {
  readonly from: string;
  readonly to: string;
  readonly fromIp: string;
  readonly toIp: string;
  readonly sent: number;
  readonly received: number;
  /** Average round trip in ms, when any reply came. */
  readonly rttMs?: number;
  /** The sender's neighbour entry for the target after the pings: resolved means ARP worked. */
  readonly arp: 'resolved' | 'failed';
  readonly pass: boolean;
}

export interface MtuResult {
  readonly from: string;
  readonly to: string;
  /** ICMP payload bytes; the IP packet is 28 bytes more. */
  readonly size: number;
  readonly ipBytes: number;
  /** Whether a frame of this size should fit the overlay MTU. */
  readonly fits: boolean;
  readonly pass: boolean;
}

export interface ProbeResult {
  readonly labId: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly pairs: readonly PairResult[];
  readonly mtu: readonly MtuResult[];
  readonly pass: boolean;
}

const PINGS = 3;
const CONCURRENCY = 8;

function parsePing(out: string): { sent: number; received: number; rttMs?: number } {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(out);
  return { sent: counts ? Number(counts[1]) : 0, received: counts ? Number(counts[2]) : 0, rttMs: rtt ? Number(rtt[1]) : undefined };
}

async function inBatches<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Pings between every pair of endpoints (each way), checks ARP resolution, and sends don't-fragment
 * pings at sizes around the overlay MTU from the first endpoint to one endpoint on every other host.
 */
export class LabProbe {
  constructor(private readonly run: CommandRunner) {}

  private async ping(from: LabEndpoint, to: LabEndpoint, extra: string[] = []): Promise<{ sent: number; received: number; rttMs?: number }> {
    const out = await this.run
      .runIn(from.netns, 'ping', ['-c', String(PINGS), '-i', '0.2', '-W', '1', ...extra, to.ip], 15_000)
      // ping exits non-zero when replies are missing; its summary is still on stdout.
      .catch((err: unknown) => (err instanceof CommandError ? `${err.stdout}\n${err.stderr}` : String(err)));
    return parsePing(out);
  }

  async probe(lab: LabRecord, progress: (done: number, total: number, last: string) => void): Promise<ProbeResult> {
    const started = Date.now();
    const endpoints = lab.hosts.flatMap((h) => h.endpoints);
    const pairs: [LabEndpoint, LabEndpoint][] = [];
    for (const a of endpoints) {
      for (const b of endpoints) {
        if (a !== b) {
          pairs.push([a, b]);
        }
      }
    }
    const first = lab.hosts[0].endpoints[0];
    const mtuTargets = lab.hosts.slice(1).map((h) => h.endpoints[0]);
    const fitSize = lab.spec.mtu - 28;
    const sizes: [number, boolean][] = [
      [56, true],
      [fitSize - 100, true],
      [fitSize, true],
      [fitSize + 1, false],
    ];
    const total = pairs.length + mtuTargets.length * sizes.length;
    let done = 0;
    const tick = (last: string): void => progress(++done, total, last);

    const pairResults = await inBatches(pairs, CONCURRENCY, async ([a, b]) => {
      // Forget what an earlier probe resolved: a leftover entry would let the pings skip ARP, and
      // its state after them would say "resolved" for a pair whose ARP cannot work.
      await this.run.run('ip', ['-n', a.netns, 'neigh', 'flush', 'to', b.ip]);
      const r = await this.ping(a, b);
      const neigh = await this.run.run('ip', ['-n', a.netns, 'neigh', 'show', b.ip]).catch(() => '');
      const arp: PairResult['arp'] = /REACHABLE|STALE|DELAY|PROBE/.test(neigh) ? 'resolved' : 'failed';
      tick(`${a.ip} → ${b.ip}: ${r.received}/${r.sent}`);
      return { from: a.netns, to: b.netns, fromIp: a.ip, toIp: b.ip, ...r, arp, pass: r.received === r.sent && r.sent > 0 };
    });
    const mtuCases = mtuTargets.flatMap((to) => sizes.map(([size, fits]) => ({ to, size, fits })));
    const mtuResults = await inBatches(mtuCases, CONCURRENCY, async ({ to, size, fits }): Promise<MtuResult> => {
      const r = await this.ping(first, to, ['-M', 'do', '-s', String(size)]);
      const got = r.received > 0;
      tick(`DF ${size + 28} bytes ${first.ip} → ${to.ip}: ${got ? 'pass' : 'fail'}`);
      return { from: first.netns, to: to.netns, size, ipBytes: size + 28, fits, pass: got };
    });
    return {
      labId: lab.id,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      pairs: pairResults,
      mtu: mtuResults,
      pass: pairResults.every((p) => p.pass) && mtuResults.every((m) => m.pass === m.fits),
    };
  }
}
