/**
 * `npm run bench` (`make bench`): capture-engine benchmark, issue #3 item 7. Not part of the tests.
 *
 * (a) OFFLINE: generates a seeded ≥ 2 M-packet VXLAN capture (twice: whole frames, and cut at 192 bytes),
 *     then times on the same file, in the same run: ours (`vxscope read --json` as users run it, and
 *     with --threads 1), a C libpcap loop extracting the VNI (the limit), node_pcap's decoder (a peer)
 *     and tshark on a 100 k-packet slice (extrapolated). Targets: ours ≥ 3 M packets/s, ≥ 0.5 × the
 *     C loop, peak RSS ≤ 150 MB. A missed speed target is profiled (`node --cpu-prof`). A second C loop
 *     (bench/c/vxagg.c) does the same decoding and aggregation as ours (per-VNI counters, VTEP pairs,
 *     flow and MAC tables): a fair peer, reported as an info line, not a target.
 * (b) LIVE: two namespaces joined by a veth underlay; the daemon watches the receiver's underlay; a C
 *     injector in the sender namespace replays VXLAN frames at rising rates. Per rate: sent, captured,
 *     libpcap received/dropped, collector CPU per packet. Target: 0 drops at 1 M packets/s.
 *
 * Traffic stays inside the two namespaces this run makes (prefix `vxb<random>`); they are deleted at
 * the end, on failure and on Ctrl-C. Every loop is bounded in count and time.
 *
 * Environment (all optional): BENCH_PACKETS (2000000), BENCH_SEED, BENCH_REPEAT (3), BENCH_RATES
 * (100000,250000,500000,1000000), BENCH_SECONDS (5), BENCH_LIVE_DST (mirror | host), BENCH_SKIP_LIVE=1,
 * BENCH_SKIP_OFFLINE=1, BENCH_KEEP=1 (keep the temp dir), BENCH_IDLE_WAIT (120: seconds to wait for other
 * processes to leave the CPUs; the tables show how much CPU others took during each measurement).
 * Exit code: 0 all targets pass, 1 a target failed, 2 the harness itself failed.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

import { generateCapture, VTEP_COUNT, type GenerateResult } from './gen-vxlan';

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'dist/apps/vxscope/src/cli.js');
const env = (name: string, dflt: string): string => process.env[name] ?? dflt;
const PACKETS = Number(env('BENCH_PACKETS', '2000000'));
const SEED = Number(env('BENCH_SEED', '20251204'));
const REPEAT = Math.max(1, Math.min(10, Number(env('BENCH_REPEAT', '3'))));
const RATES = env('BENCH_RATES', '100000,250000,500000,1000000').split(',').map(Number);
const SECONDS = Math.max(1, Math.min(30, Number(env('BENCH_SECONDS', '5'))));
const LIVE_DST = env('BENCH_LIVE_DST', 'mirror');
const SLICE = 100_000;

const TARGET_PPS = 3_000_000;
const TARGET_VS_C = 0.5;
const TARGET_RSS_MB = 150;
const TARGET_LIVE_PPS = 1_000_000;

const out = (s = ''): void => void process.stdout.write(`${s}\n`);
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmt = (n: number, d = 2): string => n.toFixed(d);

// ---------------------------------------------------------------------------------------------
// Clean-up: synchronous, run once, also from signal handlers and process exit.

const cleanups: (() => void)[] = [];
let cleaned = false;
function cleanup(): void {
  if (cleaned) {
    return;
  }
  cleaned = true;
  for (const fn of cleanups.reverse()) {
    try {
      fn();
    } catch (err) {
      process.stderr.write(`bench: clean-up step failed: ${String(err)}\n`);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
    cleanup();
    process.exit(130);
  });
}
process.on('exit', cleanup);

// ---------------------------------------------------------------------------------------------
// Helpers

interface Timed {
  seconds: number;
  rssMb: number;
  status: number;
  stderr: string;
  /** CPU other processes used meanwhile, in % of one core (see `otherTicks`). */
  otherPct: number;
}

/**
 * The machine may be shared with other people's jobs. "Other CPU" is the user time all CPUs spent
 * (/proc/stat user + nice) minus the user time of this benchmark's own processes (itself, the daemon,
 * the collector, and the measured child as reported by time(1) or the injector): it also counts
 * short-lived processes, which per-process sampling would miss. Kernel time is left out, since most
 * of it is the benchmark's own (packet sending and receiving).
 */
function allUserTicks(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  return Number(f[1]) + Number(f[2]);
}
function ourUserTicks(): number {
  let t = 0;
  for (const pid of ourPids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      t += Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[11]);
    } catch {
      // exited
    }
  }
  return t;
}
interface LoadMark {
  all: number;
  ours: number;
}
const loadMark = (): LoadMark => ({ all: allUserTicks(), ours: ourUserTicks() });
/** Other processes' CPU since `m`, in ticks (1/100 s); `childUserSeconds` is the measured child's. */
function otherTicks(m: LoadMark, childUserSeconds = 0): number {
  const now = loadMark();
  return Math.max(0, now.all - m.all - (now.ours - m.ours) - Math.round(childUserSeconds * 100));
}
const ourPids = new Set<number>([process.pid]);

/** Runs a command under /usr/bin/time (peak RSS) with stdout to a file; wall time from hrtime. */
function timed(tmp: string, cmd: string, args: string[], stdoutFile: string, timeoutMs = 600_000): Promise<Timed> {
  const timeFile = join(tmp, 'time.out');
  rmSync(timeFile, { force: true });
  const fd = openSync(stdoutFile, 'w');
  const t0 = process.hrtime.bigint();
  const mark = loadMark();
  return new Promise((resolvePromise, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M %U', '-o', timeFile, cmd, ...args], { stdio: ['ignore', fd, 'pipe'], cwd: ROOT });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      closeSync(fd);
      const [kb, user] = existsSync(timeFile) ? (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number) : [NaN, 0];
      const otherPct = otherTicks(mark, user) / seconds;
      resolvePromise({ seconds, rssMb: kb / 1024, status: code ?? -1, stderr, otherPct });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function sh(cmd: string, args: string[], timeoutMs = 20_000): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

function compileC(tmp: string, name: string): string {
  const bin = join(tmp, name);
  sh('cc', ['-O2', '-Wall', '-o', bin, join(ROOT, 'bench/c', `${name}.c`), '-lpcap'], 60_000);
  return bin;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function table(head: string[], rows: string[][], rightAlign: boolean[]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (rightAlign[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  out(line(head));
  out(w.map((n) => '-'.repeat(n)).join('  '));
  rows.forEach((r) => out(line(r)));
}

const verdicts: { name: string; pass: boolean; detail: string }[] = [];
function verdict(name: string, pass: boolean, detail: string): void {
  verdicts.push({ name, pass, detail });
  out(`${pass ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
}

/** Other processes may use at most this much CPU (% of one core) during a measurement that counts. */
const CLEAN_PCT = 15;
const IDLE_WAIT = Math.max(0, Math.min(1800, Number(env('BENCH_IDLE_WAIT', '120'))));

/**
 * The machine may be shared: waits (up to `maxWait` seconds) until other processes use at most
 * CLEAN_PCT % of a core over a second. Returns that last figure.
 */
async function waitIdle(maxWait: number, say: boolean): Promise<number> {
  const end = Date.now() + maxWait * 1000;
  let other = 0;
  let waited = 0;
  for (;;) {
    const m = loadMark();
    await sleep(1000);
    other = otherTicks(m);
    if (other <= CLEAN_PCT || Date.now() >= end) {
      break;
    }
    if (waited === 0 && say) {
      out(`waiting up to ${maxWait} s for other processes to leave the CPUs (now ${other} % of a core) ...`);
    }
    waited++;
    await sleep(1000);
  }
  if (say) {
    out(`CPU used by other processes in the last second: ${other} % of one core${other > CLEAN_PCT ? ' (WARNING: the machine is not idle)' : ''}${waited > 0 ? ` (waited ${waited * 2} s)` : ''}`);
  }
  return other;
}

/**
 * `want` runs that other processes did not disturb (≤ CLEAN_PCT % of a core), in at most 3 × `want`
 * tries, waiting for a quiet machine between tries. Falls back to every run if none was.
 */
async function cleanRuns(run: () => Promise<Timed>, want = REPEAT): Promise<{ runs: Timed[]; tries: number; clean: boolean }> {
  const all: Timed[] = [];
  const clean: Timed[] = [];
  for (let i = 0; i < want * 3 && clean.length < want; i++) {
    if (i > 0 && all[i - 1].otherPct > CLEAN_PCT) {
      await waitIdle(Math.min(60, IDLE_WAIT), false);
    }
    const t = await run();
    all.push(t);
    if (t.otherPct <= CLEAN_PCT) {
      clean.push(t);
    }
  }
  return clean.length > 0 ? { runs: clean, tries: all.length, clean: true } : { runs: all, tries: all.length, clean: false };
}
const runsNote = (r: { runs: Timed[]; tries: number; clean: boolean }): string =>
  `runs ${r.runs.map((x) => fmt(x.seconds, 3)).join('/')}${r.tries > r.runs.length || !r.clean ? ` (${r.clean ? 'undisturbed' : 'NONE undisturbed'} of ${r.tries} tries)` : ''}`;

// ---------------------------------------------------------------------------------------------
// CPU profile: self time per function

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function topSelfTime(file: string, n: number): { name: string; ms: number; pct: number }[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    const node = byId.get(p.samples[i]);
    if (node === undefined) {
      continue;
    }
    const cf = node.callFrame;
    const url = cf.url.startsWith('file://') ? cf.url.slice(7) : cf.url;
    const where = url ? ` ${url.startsWith(ROOT) ? relative(ROOT, url) : url}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / total }));
}

// ---------------------------------------------------------------------------------------------
// (a) OFFLINE

interface ToolRow {
  tool: string;
  packets: number;
  seconds: number;
  rssMb: number;
  pps: number;
  /** Max over the runs of the CPU other processes took meanwhile, % of one core. */
  otherPct: number;
  note: string;
}

interface ReadJson {
  packets: number;
  vxlanPackets: number;
  vnis: Record<string, { packets: number }>;
  decodeErrors: Record<string, number>;
  files: { parts: number }[];
}
interface LoopJson {
  packets: number;
  vxlanPackets: number;
  vnis: number;
  loopSeconds: number;
}
/** bench/c/vxagg.c's line: LoopJson and the sizes of its tables at the end. */
interface AggJson extends LoopJson {
  flowsTracked: number;
  flowEvictions: number;
  pairs: number;
  macs: number;
}

const C_VNI_ONLY = 'C libpcap loop (VNI only, 1 thread)';
const C_SAME_AGGREGATION = 'C libpcap loop (same aggregation as ours, 1 thread)';

/**
 * The offline bench runs on two captures of the same traffic: whole frames (what `tcpdump -w` writes
 * by default, snaplen 262144) and frames cut at 192 bytes (the daemon's own snap length). The C
 * loop's speed depends on the bytes it reads (on an idle machine here ~11 M/s on whole frames and
 * ~14 M/s on cut ones, against the ~6 M/s the issue measured); ours mostly on the packets.
 */
const OFFLINE_CAPTURES = [
  { label: 'whole frames', snaplen: 0 },
  { label: 'snaplen 192', snaplen: 192 },
] as const;

async function offline(tmp: string, capture: (typeof OFFLINE_CAPTURES)[number]): Promise<void> {
  out(`== (a) OFFLINE: decode + aggregate a capture file (${capture.label}) ==`);
  const file = join(tmp, 'vxlan.pcap');
  const slice = join(tmp, 'slice.pcap');
  const vteps = Array.from({ length: VTEP_COUNT }, (_, i) => `10.200.0.${i + 1}`);
  const g: GenerateResult = generateCapture(file, {
    packets: PACKETS,
    seed: SEED,
    snaplen: capture.snaplen,
    maxPayload: 1400,
    vtepSrc: vteps,
    vtepDst: vteps,
    sliceFile: slice,
    slicePackets: SLICE,
  });
  const top = g.perVni.map((c, i) => ({ vni: g.vnis[i], c })).sort((a, b) => b.c - a.c);
  out(`capture: ${fmtInt(g.packets)} packets, ${fmt(g.bytes / 1e6, 1)} MB, generated in ${fmt(g.seconds)} s (seed ${SEED}, ${capture.label})`);
  out(`  ${g.vnis.length} VNIs (top ${top[0].vni}: ${fmt((100 * top[0].c) / g.packets, 1)} %, ${top[1].vni}: ${fmt((100 * top[1].c) / g.packets, 1)} %, ` +
    `last: ${fmt((100 * top[top.length - 1].c) / g.packets, 2)} %), ${VTEP_COUNT} VTEPs, ${fmtInt(g.endpoints)} inner endpoints, ` +
    `${fmtInt(g.distinctFlows)} distinct inner flows`);
  out(`  inner: ${Object.entries(g.byKind).map(([k, v]) => `${k} ${fmt((100 * v) / g.packets, 1)}%`).join(', ')}`);
  out(`  VLAN-tagged ${fmtInt(g.vlanTagged)}, broadcast ${fmtInt(g.broadcast)}, multicast ${fmtInt(g.multicast)}, UDP 8472 ${fmtInt(g.port8472)}; slice ${fmtInt(SLICE)} packets`);
  out();

  const vxloop = compileC(tmp, 'vxloop');
  const vxagg = compileC(tmp, 'vxagg');
  const rows: ToolRow[] = [];
  const checks: string[] = [];

  // Write the new files out to disk first: while the kernel writes back hundreds of MB of dirty pages,
  // any tool that writes (ours prints a 3 MB report) is throttled. Then warm the page cache for
  // everyone (the file was just written; this also reads the slice).
  for (const f of [file, slice]) {
    const fd = openSync(f, 'r+');
    fsyncSync(fd);
    closeSync(fd);
  }
  readFileSync(slice);

  // (2) C libpcap loop
  {
    const r = await cleanRuns(async () => {
      const t = await timed(tmp, vxloop, [file], join(tmp, 'c.json'));
      if (t.status !== 0) {
        throw new Error(`vxloop failed: ${t.stderr}`);
      }
      return t;
    });
    const j = JSON.parse(readFileSync(join(tmp, 'c.json'), 'utf8')) as LoopJson;
    const s = median(r.runs.map((x) => x.seconds));
    rows.push({ tool: C_VNI_ONLY, packets: j.packets, seconds: s, rssMb: Math.max(...r.runs.map((x) => x.rssMb)), pps: j.packets / s,
      otherPct: Math.max(...r.runs.map((x) => x.otherPct)), note: `${runsNote(r)}; loop alone ${fmt(j.loopSeconds, 3)} s` });
    checks.push(`C loop: ${fmtInt(j.vxlanPackets)} VXLAN, ${j.vnis} VNIs ${j.vxlanPackets === g.packets && j.vnis === g.vnis.length ? 'ok' : 'MISMATCH'}`);
  }

  // (2b) C libpcap loop doing the same per-packet work as ours: full decode, per-VNI counters, VTEP
  // pairs, a bounded flow table and MAC table (a fair peer; the targets stay against the loop above).
  {
    const r = await cleanRuns(async () => {
      const t = await timed(tmp, vxagg, [file], join(tmp, 'cagg.json'));
      if (t.status !== 0) {
        throw new Error(`vxagg failed: ${t.stderr}`);
      }
      return t;
    });
    const j = JSON.parse(readFileSync(join(tmp, 'cagg.json'), 'utf8')) as AggJson;
    const s = median(r.runs.map((x) => x.seconds));
    rows.push({ tool: C_SAME_AGGREGATION, packets: j.packets, seconds: s, rssMb: Math.max(...r.runs.map((x) => x.rssMb)), pps: j.packets / s,
      otherPct: Math.max(...r.runs.map((x) => x.otherPct)), note: `${runsNote(r)}; loop alone ${fmt(j.loopSeconds, 3)} s` });
    checks.push(`C aggregation loop: ${fmtInt(j.vxlanPackets)} VXLAN, ${j.vnis} VNIs ${j.vxlanPackets === g.packets && j.vnis === g.vnis.length ? 'ok' : 'MISMATCH'}` +
      ` (${fmtInt(j.flowsTracked)} flows tracked, ${fmtInt(j.flowEvictions)} evicted, ${fmtInt(j.pairs)} VTEP pairs, ${fmtInt(j.macs)} MACs)`);
  }

  // (1) ours: as a user runs it (one thread per CPU, at most 4), and in one thread.
  let ours: ToolRow | undefined;
  {
    // Fixed start-up cost: the same command on a 1 000-packet capture.
    const tiny = join(tmp, 'tiny.pcap');
    generateCapture(tiny, { packets: 1000, seed: SEED, snaplen: capture.snaplen, maxPayload: 1400, vtepSrc: vteps, vtepDst: vteps });
    const st = await cleanRuns(() => timed(tmp, join(ROOT, 'bin/vxscope'), ['read', '--json', tiny], join(tmp, 'tiny.json')));
    const startup = median(st.runs.map((x) => x.seconds));
    const threads = Math.min(availableParallelism(), 4);
    for (const t of threads > 1 ? [threads, 1] : [1]) {
      const args = ['read', '--json', ...(t === threads ? [] : ['--threads', String(t)]), file];
      const r = await cleanRuns(async () => {
        const x = await timed(tmp, join(ROOT, 'bin/vxscope'), args, join(tmp, 'ours.json'));
        if (x.status !== 0) {
          throw new Error(`vxscope read failed: ${x.stderr}`);
        }
        return x;
      });
      const j = JSON.parse(readFileSync(join(tmp, 'ours.json'), 'utf8')) as ReadJson;
      const s = median(r.runs.map((x) => x.seconds));
      const row: ToolRow = {
        tool: `ours: vxscope ${args.slice(0, -1).join(' ')}`,
        packets: j.packets,
        seconds: s,
        rssMb: Math.max(...r.runs.map((x) => x.rssMb)),
        pps: j.packets / s,
        otherPct: Math.max(...r.runs.map((x) => x.otherPct)),
        note: `${runsNote(r)}; ${t} thread${t > 1 ? 's' : ''}, file read in ${j.files[0].parts} part${j.files[0].parts > 1 ? 's' : ''}` +
          (t === threads ? `; start-up ${fmt(startup, 3)} s (1 000-packet file, ${fmt(median(st.runs.map((x) => x.rssMb)), 0)} MB), without it ${fmtInt(j.packets / (s - startup))} pkt/s` : ''),
      };
      ours ??= row;
      rows.splice(row === ours ? 0 : rows.indexOf(ours) + 1, 0, row);
      const vniOk = g.vnis.every((v, i) => j.vnis[String(v)]?.packets === g.perVni[i]) && Object.keys(j.vnis).length === g.vnis.length;
      const errs = Object.values(j.decodeErrors).reduce((a, b) => a + b, 0);
      checks.splice(row === ours ? 0 : 1, 0, `ours (${t} thread${t > 1 ? 's' : ''}): ${fmtInt(j.packets)} packets, ${fmtInt(j.vxlanPackets)} VXLAN, per-VNI counts ${vniOk ? 'equal the generator' : 'DIFFER from the generator'}, ${errs} decode errors`);
    }
  }
  if (ours === undefined) {
    throw new Error('no run of ours');
  }

  // (3) node_pcap
  {
    const r = await cleanRuns(async () => {
      const t = await timed(tmp, process.execPath, [join(ROOT, 'bench/node-pcap-peer.js'), file], join(tmp, 'np.json'));
      if (t.status !== 0) {
        throw new Error(`node_pcap peer failed: ${t.stderr}`);
      }
      return t;
    });
    const j = JSON.parse(readFileSync(join(tmp, 'np.json'), 'utf8')) as LoopJson;
    const s = median(r.runs.map((x) => x.seconds));
    rows.push({ tool: 'node_pcap offline + decode', packets: j.packets, seconds: s, rssMb: Math.max(...r.runs.map((x) => x.rssMb)), pps: j.packets / s,
      otherPct: Math.max(...r.runs.map((x) => x.otherPct)), note: runsNote(r) });
    checks.push(`node_pcap: ${fmtInt(j.vxlanPackets)} VXLAN, ${j.vnis} VNIs ${j.vxlanPackets === g.packets && j.vnis === g.vnis.length ? 'ok' : 'MISMATCH'}`);
  }

  // (4) tshark on the slice, extrapolated
  {
    const r = await cleanRuns(async () => {
      const x = await timed(tmp, 'tshark', ['-n', '-r', slice, '-d', 'udp.port==8472,vxlan', '-T', 'fields', '-e', 'vxlan.vni'], join(tmp, 'tshark.txt'));
      if (x.status !== 0) {
        throw new Error(`tshark failed: ${x.stderr}`);
      }
      return x;
    }, 1);
    const t = r.runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
    const lines = readFileSync(join(tmp, 'tshark.txt'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const pps = SLICE / t.seconds;
    rows.push({ tool: 'tshark -T fields -e vxlan.vni', packets: SLICE, seconds: t.seconds, rssMb: t.rssMb, pps, otherPct: t.otherPct,
      note: `${runsNote(r)}; ${fmtInt(SLICE)}-packet slice; ${fmtInt(g.packets)} would take ~${fmt(g.packets / pps, 0)} s` });
    checks.push(`tshark: ${fmtInt(lines.length)} VNI lines for ${fmtInt(SLICE)} packets ${lines.length === SLICE ? 'ok' : 'MISMATCH'}`);
  }

  out();
  table(
    ['tool', 'packets', 'seconds', 'packets/s', 'peak RSS MB', 'pps vs ours', 'other CPU %', 'note'],
    rows.map((r) => [r.tool, fmtInt(r.packets), fmt(r.seconds, 3), fmtInt(r.pps), fmt(r.rssMb, 1), `${fmt(r.pps / (ours as ToolRow).pps, 3)}x`, fmt(r.otherPct, 0), r.note]),
    [false, true, true, true, true, true, true, false],
  );
  out('(seconds: median of the runs, wall clock of the whole process; other CPU %: CPU that processes outside this benchmark used meanwhile, % of one core)');
  const busy = Math.max(...rows.map((r) => r.otherPct));
  if (busy > CLEAN_PCT) {
    out(`WARNING: other processes on this machine used up to ${fmt(busy, 0)} % of a core during these runs: the figures are lower than on an idle machine`);
  }
  out();
  checks.forEach((c) => out(`check  ${c}`));
  out();
  const c = rows.find((r) => r.tool === C_VNI_ONLY)!;
  const cAgg = rows.find((r) => r.tool === C_SAME_AGGREGATION)!;
  const ours1 = rows[rows.indexOf(ours) + 1];
  const vsC = ours.pps / c.pps;
  const speedOk = ours.pps >= TARGET_PPS;
  verdict(`offline (${capture.label}) ours >= 3 M packets/s`, speedOk,
    `${fmtInt(ours.pps)} packets/s${speedOk ? '' : `, short by ${fmt(100 * (1 - ours.pps / TARGET_PPS), 1)} % (needs ${fmt(TARGET_PPS / ours.pps, 2)}x)`}`);
  verdict(`offline (${capture.label}) ours >= 0.5 x C loop`, vsC >= TARGET_VS_C,
    `${fmt(vsC, 3)} x (C ${fmtInt(c.pps)} packets/s)${vsC >= TARGET_VS_C ? '' : `, needs ${fmt(TARGET_VS_C / vsC, 2)}x`}`);
  verdict(`offline (${capture.label}) ours peak RSS <= 150 MB`, ours.rssMb <= TARGET_RSS_MB,
    `${fmt(ours.rssMb, 1)} MB${ours.rssMb <= TARGET_RSS_MB ? '' : `, over by ${fmt(ours.rssMb - TARGET_RSS_MB, 1)} MB`}`);
  // Not a target: how far ours is from C doing the same work (ours as run above; the C loop has one thread).
  out(`info  ours vs a C loop doing the same aggregation: ${fmt(ours.pps / cAgg.pps, 3)} x (C ${fmtInt(cAgg.pps)} packets/s)` +
    (ours1 !== undefined && ours1.tool.startsWith('ours') ? `; ours in one thread: ${fmt(ours1.pps / cAgg.pps, 3)} x` : ''));

  if (!speedOk || vsC < TARGET_VS_C) {
    out();
    out('profile (speed target missed): node --cpu-prof dist/apps/vxscope/src/cli.js read --json --threads 1 FILE, top self time');
    const dir = join(tmp, `prof-${capture.snaplen}`);
    mkdirSync(dir, { recursive: true });
    await waitIdle(Math.min(60, IDLE_WAIT), false);
    const t = await timed(tmp, process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, CLI, 'read', '--json', '--threads', '1', file], join(tmp, 'prof.json'));
    const prof = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (t.status !== 0 || prof === undefined) {
      out(`  profiling failed: ${t.stderr}`);
    } else {
      table(['self ms', 'self %', 'function'],
        topSelfTime(join(dir, prof), 20).map((f) => [fmt(f.ms, 0), fmt(f.pct, 1), f.name]), [true, true, false]);
    }
  }
  out();
}

// ---------------------------------------------------------------------------------------------
// (b) LIVE

interface IfaceJson {
  netns: string;
  name: string;
  active: boolean;
  packets: number;
  vxlanPackets: number;
  pcapReceived?: number;
  pcapDropped?: number;
  decodeErrors: Record<string, number>;
}
interface HealthJson {
  status: string;
  collectors: { netns: string; state: string; pid?: number }[];
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** GET with up to 3 tries: a kept-alive connection that the server closed while idle fails once. */
async function getJson<T>(url: string): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) {
        throw new Error(`HTTP ${res.status}`);
      }
      return (await res.json()) as T;
    } catch (err) {
      last = err;
      await sleep(100);
    }
  }
  const cause = last instanceof Error && last.cause !== undefined ? `: ${String(last.cause)}` : '';
  throw new Error(`GET ${url} failed: ${String(last)}${cause}`);
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
}

async function live(tmp: string): Promise<void> {
  out('== (b) LIVE: daemon capturing a veth underlay in a namespace ==');
  if (process.getuid?.() !== 0) {
    verdict('live 0 drops at 1 M packets/s', false, 'not run: needs root (namespaces, raw sockets)');
    return;
  }
  const prefix = `vxb${randomBytes(3).toString('hex')}`;
  const tx = `${prefix}-tx`;
  const rx = `${prefix}-rx`;
  const txMac = '02:76:78:62:00:01';
  const rxMac = '02:76:78:62:00:02';
  const ip = (...args: string[]): string => sh('ip', args);
  cleanups.push(() => {
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
    for (const ns of [tx, rx]) {
      if (!list.split('\n').some((l) => l.split(' ')[0] === ns)) {
        continue;
      }
      const pids = (spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
      }
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
  for (const ns of [tx, rx]) {
    ip('netns', 'add', ns);
    sh('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('link', 'add', 'u0', 'netns', tx, 'address', txMac, 'type', 'veth', 'peer', 'name', 'u0', 'netns', rx, 'address', rxMac);
  const txIps = Array.from({ length: 8 }, (_, i) => `10.77.0.${1 + i}`);
  const rxIps = Array.from({ length: 8 }, (_, i) => `10.77.0.${101 + i}`);
  for (const [ns, ips] of [[tx, txIps], [rx, rxIps]] as const) {
    for (const a of ips) {
      ip('-n', ns, 'addr', 'add', `${a}/24`, 'dev', 'u0');
    }
    ip('-n', ns, 'link', 'set', 'u0', 'up');
  }
  // Frames go from the sender's VTEP addresses to the receiver's. "mirror" (default) addresses them to
  // a MAC that is not the receiver's, as a mirror port delivers them: the receiver's IP stack drops
  // them at once, leaving the CPU to the sender and the capture. "host" sends them to the receiver's
  // MAC, which then looks the UDP port up and answers with (rate-limited) ICMP.
  const dstMac = LIVE_DST === 'host' ? rxMac : '02:76:78:62:00:99';
  const liveFile = join(tmp, 'live.pcap');
  const lg = generateCapture(liveFile, {
    packets: 200_000,
    seed: SEED + 1,
    snaplen: 0,
    maxPayload: 64,
    vtepSrc: Array.from({ length: VTEP_COUNT }, (_, i) => txIps[i % 8]),
    vtepDst: Array.from({ length: VTEP_COUNT }, (_, i) => rxIps[i % 8]),
    outerSrcMac: txMac,
    outerDstMac: dstMac,
  });
  const vxinject = compileC(tmp, 'vxinject');
  out(`namespaces ${tx} -> ${rx} over veth u0; ${fmtInt(lg.packets)} distinct frames (avg ${fmt((lg.bytes - 24) / lg.packets - 16, 0)} bytes, ` +
    `${lg.vnis.length} VNIs, ${fmtInt(lg.distinctFlows)} flows) replayed in a loop; frames to ${LIVE_DST === 'host' ? "the receiver's MAC" : 'a mirror MAC'}`);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logFile = join(tmp, 'daemon.log');
  const logFd = openSync(logFile, 'w');
  const daemon: ChildProcess = spawn(join(ROOT, 'bin/vxscope'), ['serve', '--netns', rx, '--interface', 'u0', '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'],
    { cwd: ROOT, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  cleanups.push(() => {
    if (daemon.exitCode === null && daemon.pid !== undefined) {
      try {
        process.kill(daemon.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
  let collectorPid = 0;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) {
      throw new Error(`daemon exited (${daemon.exitCode}): ${readFileSync(logFile, 'utf8')}`);
    }
    try {
      const h = await getJson<HealthJson>(`${base}/healthz`);
      const c = h.collectors.find((x) => x.netns === rx);
      const ifs = await getJson<IfaceJson[]>(`${base}/api/capture/interfaces`);
      if (h.status === 'ok' && c?.state === 'running' && c.pid !== undefined && ifs.some((i) => i.netns === rx && i.name === 'u0' && i.active)) {
        collectorPid = c.pid;
        break;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  if (collectorPid === 0) {
    throw new Error(`daemon not ready within 30 s: ${readFileSync(logFile, 'utf8')}`);
  }
  // Injector on CPU 0, collector on CPU 1: the kernel's receive work (veth, packet tap, BPF, ring copy)
  // runs on the sending CPU, so the two would otherwise fight over whichever core they share.
  sh('taskset', ['-p', '-c', '1', String(collectorPid)]);
  ourPids.add(collectorPid);
  if (daemon.pid !== undefined) {
    ourPids.add(daemon.pid);
  }
  out(`daemon on ${base}, collector pid ${collectorPid} (pinned to CPU 1), injector pinned to CPU 0, ${SECONDS} s per rate`);

  const iface = async (): Promise<IfaceJson> => {
    if (daemon.exitCode !== null || daemon.signalCode !== null) {
      throw new Error(`daemon exited (${daemon.exitCode ?? daemon.signalCode}): ${readFileSync(logFile, 'utf8')}`);
    }
    const ifs = await getJson<IfaceJson[]>(`${base}/api/capture/interfaces`);
    const i = ifs.find((x) => x.netns === rx && x.name === 'u0');
    if (i === undefined) {
      throw new Error('capture interface u0 missing from /api/capture/interfaces');
    }
    return i;
  };
  const checkPid = async (): Promise<void> => {
    const h = await getJson<HealthJson>(`${base}/healthz`);
    const c = h.collectors.find((x) => x.netns === rx);
    if (c?.pid !== collectorPid) {
      throw new Error(`collector restarted (pid ${collectorPid} -> ${c?.pid}): counters are per session`);
    }
  };
  /** Waits until the counters stop moving and libpcap has reported at least `sent` more frames. */
  const settle = async (before: IfaceJson, sent: number): Promise<IfaceJson> => {
    const end = Date.now() + 15_000;
    let last = await iface();
    while (Date.now() < end) {
      await sleep(1100);
      const now = await iface();
      const seen = (now.pcapReceived ?? 0) - (before.pcapReceived ?? 0);
      if (now.packets === last.packets && now.pcapDropped === last.pcapDropped && seen >= sent) {
        return now;
      }
      last = now;
    }
    return last;
  };
  interface Injected {
    sent: number;
    failed: number;
    seconds: number;
    pps: number;
    utime: number;
  }
  /** Sends `packets` frames at `rate`/s from the sender namespace; bounded to 2 × SECONDS + 5 s. */
  const inject = (rate: number, packets: number): Promise<Injected> =>
    new Promise((res, rej) => {
      const child = spawn('ip', ['netns', 'exec', tx, vxinject, 'u0', liveFile, String(rate), String(packets), String(SECONDS * 2 + 5), '0'],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS * 2 + 20) * 1000);
      child.on('error', rej);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) {
          rej(new Error(`vxinject failed (${code}): ${stderr}`));
          return;
        }
        res(JSON.parse(stdout) as Injected);
      });
    });

  // Warm-up (not counted): the collector's JIT, the kernel ring.
  {
    const before = await iface();
    const w = await inject(200_000, 200_000);
    await settle(before, w.sent);
  }

  const rows: string[][] = [];
  let maxOther = 0;
  let at1M: { drops: number; captured: number; sent: number; pps: number } | undefined;
  interface Step {
    r: Injected;
    other: number;
    captured: number;
    received: number;
    dropped: number;
    cpu: number;
  }
  const step = async (rate: number): Promise<Step> => {
    await checkPid();
    const before = await iface();
    const cpu0 = cpuTicks(collectorPid);
    const mark = loadMark();
    const r = await inject(rate, rate * SECONDS);
    const other = otherTicks(mark, r.utime) / r.seconds;
    const after = await settle(before, r.sent);
    const cpu = (cpuTicks(collectorPid) - cpu0) / 100; // CLK_TCK = 100
    await checkPid();
    return {
      r,
      other,
      captured: after.packets - before.packets,
      received: (after.pcapReceived ?? 0) - (before.pcapReceived ?? 0),
      dropped: (after.pcapDropped ?? 0) - (before.pcapDropped ?? 0),
      cpu,
    };
  };
  for (const rate of RATES) {
    // A step that other processes disturbed (> CLEAN_PCT % of a core) is tried again, up to 3 times;
    // the least disturbed one is shown.
    let best: Step | undefined;
    let tries = 0;
    while (tries < 3) {
      tries++;
      const st = await step(rate);
      if (best === undefined || st.other < best.other) {
        best = st;
      }
      if (st.other <= CLEAN_PCT) {
        break;
      }
      await waitIdle(Math.min(60, IDLE_WAIT), false);
    }
    const { r, other, captured, received, dropped, cpu } = best!;
    maxOther = Math.max(maxOther, other);
    rows.push([fmtInt(rate), fmtInt(r.sent), fmt(r.seconds, 2), fmtInt(r.pps), fmtInt(captured), fmtInt(received), fmtInt(dropped),
      fmt((100 * dropped) / Math.max(1, r.sent), 2), fmt(cpu, 2), fmt((1e6 * cpu) / Math.max(1, captured), 3), fmt((100 * cpu) / r.seconds, 0), fmt(other, 0), String(tries)]);
    if (rate === TARGET_LIVE_PPS) {
      at1M = { drops: dropped + Math.max(0, r.sent - captured - dropped), captured, sent: r.sent, pps: r.pps };
    }
  }
  out();
  table(['offered/s', 'sent', 'seconds', 'sent/s', 'captured', 'pcapReceived', 'pcapDropped', 'drop %', 'collector CPU s', 'CPU us/pkt', 'CPU % of send time', 'other CPU %', 'tries'],
    rows, rows[0].map(() => true));
  out('(captured = Δ packets decoded; pcapReceived/pcapDropped = Δ libpcap ps_recv/ps_drop; CPU = Δ utime+stime of the collector;');
  out(' other CPU % = CPU that processes outside this benchmark used while sending, % of one core; a step with more than');
  out(` ${CLEAN_PCT} % is tried again, up to 3 tries, and the least disturbed try is shown)`);
  if (maxOther > CLEAN_PCT) {
    out(`WARNING: other processes on this machine used up to ${fmt(maxOther, 0)} % of a core while sending: the collector and the injector had less than two free cores`);
  }
  out();
  if (at1M === undefined) {
    verdict('live 0 drops at 1 M packets/s', false, 'not measured: BENCH_RATES has no 1000000');
  } else {
    const reached = at1M.pps >= 0.97 * TARGET_LIVE_PPS;
    const pass = at1M.drops === 0 && at1M.captured === at1M.sent && reached;
    verdict('live 0 drops at 1 M packets/s', pass,
      `sent ${fmtInt(at1M.sent)} at ${fmtInt(at1M.pps)}/s${reached ? '' : ' (the injector could not reach 1 M/s here)'}, captured ${fmtInt(at1M.captured)}, ` +
      `lost ${fmtInt(at1M.drops)} (${fmt((100 * at1M.drops) / Math.max(1, at1M.sent), 2)} %)`);
  }
  out();
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(CLI)) {
    throw new Error(`${relative(ROOT, CLI)} missing: run 'npm run build' first`);
  }
  for (const tool of ['/usr/bin/time', 'tshark', 'cc']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      throw new Error(`${tool} missing: 'make bench' installs it`);
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), 'vxbench-'));
  if (process.env.BENCH_KEEP !== '1') {
    cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  }
  out(`vxscope bench  ${new Date().toISOString()}  node ${process.version}  ${sh('nproc', []).trim()} CPUs  temp ${tmp}`);
  await waitIdle(IDLE_WAIT, true);
  out();
  if (process.env.BENCH_SKIP_OFFLINE !== '1') {
    for (const capture of OFFLINE_CAPTURES) {
      await offline(tmp, capture);
      // This capture's files are not needed any more.
      for (const f of readdirSync(tmp)) {
        if (f.endsWith('.pcap') && statSync(join(tmp, f)).isFile()) {
          rmSync(join(tmp, f));
        }
      }
    }
  }
  if (process.env.BENCH_SKIP_LIVE !== '1') {
    if (process.env.BENCH_SKIP_OFFLINE !== '1') {
      await waitIdle(IDLE_WAIT, true);
    }
    await live(tmp);
  }
  out('== summary ==');
  verdicts.forEach((v) => out(`${v.pass ? 'PASS' : 'FAIL'}  ${v.name}`));
  cleanup();
  process.exitCode = verdicts.every((v) => v.pass) ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  cleanup();
  process.exit(2);
});
