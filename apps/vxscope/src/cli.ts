#!/usr/bin/env node
/**
 * Command-line entry: `vxscope serve` runs the daemon; `vxscope demo` builds the seed overlay,
 * runs traffic over it and serves the dashboard watching host 1.
 */
// Only what every command needs is imported here: the daemon (Nest, express, swagger), the lab client
// and the seed overlay are loaded by the commands that use them, so `vxscope read` starts fast and small.
import type { INestApplication } from '@nestjs/common';
import { Command, Option } from 'commander';
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

import { NotACaptureError } from './capture/not-a-capture.error';
import { OfflineReader, type ReadResult } from './capture/offline-reader';
import { readCaptureFile } from './capture/split-read';
import { ConfigError, loadAppConfig, type ConfigOverrides } from './config/app-config';
import { ApiError } from './lab/api.error';
import type { serve as serveFn } from './main';

/** The daemon entry point, loaded on first use (with reflect-metadata, which Nest needs first). */
async function loadServe(): Promise<typeof serveFn> {
  await import('reflect-metadata');
  return (await import('./main')).serve;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').filter(Boolean)];

function daemonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--netns <name|path>', 'watch this network namespace (repeatable) [VXSCOPE_NETNS]').argParser(collect))
    .addOption(new Option('--interface <if>', 'capture on this interface (repeatable) [VXSCOPE_INTERFACES]').argParser(collect))
    .option('--ports <list>', 'UDP ports decoded as VXLAN, e.g. 4789,8472 [VXSCOPE_PORTS]')
    .option('--listen <host:port>', 'HTTP/WebSocket listen address (default 127.0.0.1:9789) [VXSCOPE_LISTEN]')
    .option('--snaplen <bytes>', 'capture snapshot length [VXSCOPE_SNAPLEN]')
    .option('--log-level <level>', 'error | warn | log | debug [VXSCOPE_LOG_LEVEL]')
    .option('--token <token>', 'bearer token for mutating endpoints (labs) [VXSCOPE_TOKEN]')
    .option('--data-dir <dir>', 'where labs are recorded (default /var/lib/vxscope) [VXSCOPE_DATA_DIR]');
}

function configFrom(opts: Record<string, unknown>): ReturnType<typeof loadAppConfig> {
  const overrides: ConfigOverrides = {
    netns: opts.netns as string[] | undefined,
    interfaces: opts.interface as string[] | undefined,
    ports: opts.ports as string | undefined,
    listen: opts.listen as string | undefined,
    snaplen: opts.snaplen as string | undefined,
    logLevel: opts.logLevel as string | undefined,
    token: opts.token as string | undefined,
    dataDir: opts.dataDir as string | undefined,
  };
  return loadAppConfig(overrides);
}

async function demo(opts: Record<string, unknown>): Promise<void> {
  const { prefix: prefixOpt, ...daemonOpts } = opts;
  const prefix = typeof prefixOpt === 'string' ? prefixOpt : 'vxdemo';
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(prefix)) {
    throw new ConfigError([`prefix (--prefix): "${prefix}" must be lower-case letters, digits and dashes`]);
  }
  const [{ CommandRunner }, { SeedOverlay }, serve] = await Promise.all([
    import('./lab/command.runner'),
    import('./lab/seed-overlay'),
    loadServe(),
  ]);
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix });
  const config = configFrom({ ...daemonOpts, netns: [seed.hosts[0].netns] });
  const log = (msg: string): void => void process.stdout.write(`[demo] ${msg}\n`);
  const traffic: ChildProcess[] = [];
  let app: INestApplication | undefined;
  let stopping: Promise<void> | undefined;
  // Whatever happens (Ctrl-C while building, a failed start, a normal stop), everything made goes.
  const stop = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      log('stopping: daemon, traffic, namespaces');
      traffic.forEach((t) => t.kill('SIGKILL'));
      await app?.close().catch(() => undefined);
      await seed.destroy();
      log('all namespaces removed');
      process.exit(code);
    })());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => void stop(0));
  }
  try {
    await seed.destroy(); // leftovers of a run that was killed hard
    log(`building the seed overlay: ${seed.namespaces.join(', ')}`);
    await seed.create();
    const [c1, c2] = seed.containers;
    traffic.push(run.startIn(c1.netns, 'ping', ['-q', '-i', '0.2', c2.ip]), run.startIn(c2.netns, 'ping', ['-q', '-i', '1', c1.ip]));
    app = await serve(config, false);
    log(`traffic running between ${c1.ip} (${c1.netns}) and ${c2.ip} (${c2.netns})`);
    log(`dashboard: http://${config.listen.host}:${config.listen.port}/   (Ctrl-C stops and removes everything)`);
  } catch (err) {
    process.stderr.write(`vxscope demo: ${err instanceof Error ? err.message : String(err)}\n`);
    await stop(1);
  }
}

/** `read` splits a file only when each thread gets at least this much of it (a worker takes ~35 ms to start). */
const READ_MIN_PART_BYTES = 16 * 1024 * 1024;
const READ_TOP_FLOWS = 20;

async function read(files: string[], opts: { json?: boolean; ports?: string; threads?: string }): Promise<void> {
  const config = loadAppConfig({ ports: opts.ports });
  const threads = opts.threads === undefined ? Math.min(availableParallelism(), 4) : Number(opts.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new ConfigError([`threads (--threads): "${opts.threads}" must be an integer from 1 to 64`]);
  }
  const reader = new OfflineReader(config.ports);
  for (const file of files) {
    await readCaptureFile(reader, file, { threads, minPartBytes: READ_MIN_PART_BYTES, ports: config.ports, topK: READ_TOP_FLOWS });
  }
  const result = reader.result(READ_TOP_FLOWS);
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatReadResult(result));
}

function formatReadResult(r: ReadResult): string {
  const lines = [
    `packets ${r.packets}  vxlan ${r.vxlanPackets}  vxlan-gpe ${r.gpePackets}  geneve ${r.genevePackets}  other ${r.otherPackets}`,
    ...r.files.map((f) => `  ${f.source}: ${f.format ?? '?'} ${f.packets} packets${f.error ? ` (stopped: ${f.error})` : ''}`),
  ];
  const errors = Object.entries(r.decodeErrors);
  if (errors.length > 0) {
    lines.push(`decode errors: ${errors.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  lines.push('', 'VNI        packets        bytes  inner ethertypes');
  for (const [vni, v] of Object.entries(r.vnis)) {
    const et = Object.entries(v.innerEthertypes).map(([k, n]) => `${k}:${n}`).join(' ');
    lines.push(`${vni.padEnd(8)} ${String(v.packets).padStart(9)} ${String(v.bytes).padStart(12)}  ${et}`);
  }
  for (const [vni, g] of Object.entries(r.geneveVnis)) {
    lines.push(`geneve ${vni.padEnd(8)} ${String(g.packets).padStart(9)} ${String(g.bytes).padStart(12)}`);
  }
  if (r.vtepPairs.length > 0) {
    lines.push('', 'VTEP pairs:');
    for (const p of r.vtepPairs.slice().sort((a, b) => b.packets - a.packets).slice(0, 20)) {
      lines.push(`  VNI ${p.vni} ${p.src} > ${p.dst}:${p.dstPort}  ${p.packets} packets ${p.bytes} bytes`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const program = new Command('vxscope').description('VXLAN overlay observability daemon');
  daemonOptions(program.command('serve').description('run the daemon')).action(async (opts: Record<string, unknown>) => {
    const config = configFrom(opts);
    await (await loadServe())(config);
  });
  daemonOptions(program.command('demo').description('build the seed overlay in namespaces, run traffic, serve the dashboard'))
    .option('--prefix <name>', 'namespace name prefix', 'vxdemo')
    .action(demo);
  program
    .command('read')
    .description('decode pcap/pcapng files and print per-VNI counts (same pipeline as live capture)')
    .argument('<files...>')
    .option('--json', 'print the report as JSON')
    .option('--ports <list>', 'UDP ports decoded as VXLAN (default 4789,8472) [VXSCOPE_PORTS]')
    .option('--threads <n>', 'threads that read one large classic pcap file (default: CPUs, at most 4; 1: one pass)')
    .action(read);
  // `read` needs no lab commands; everything else (including --help) lists them.
  if (process.argv[2] !== 'read') {
    const { registerLabCommands } = await import('./lab/lab.cli');
    registerLabCommands(program);
  }
  await program.parseAsync(process.argv);
}

main().catch((err: unknown) => {
  // A file the user named that cannot be read (ENOENT, EACCES, EISDIR...): the system's message says it all.
  const fileError = err instanceof Error && 'syscall' in err && typeof (err as NodeJS.ErrnoException).code === 'string';
  if (err instanceof ApiError || err instanceof NotACaptureError || fileError) {
    process.stderr.write(`vxscope: ${err.message}\n`);
    process.exit(1);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`vxscope: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`vxscope: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
