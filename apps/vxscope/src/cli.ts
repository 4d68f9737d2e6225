#!/usr/bin/env node
/**
 * Command-line entry: `vxscope serve` runs the daemon; `vxscope demo` builds the seed overlay,
 * runs traffic over it and serves the dashboard watching host 1.
 */
import 'reflect-metadata';

import { Command, Option } from 'commander';

import { ConfigError, loadAppConfig, type ConfigOverrides } from './config/app-config';
import { CommandRunner } from './lab/command.runner';
import { SeedOverlay } from './lab/seed-overlay';
import { serve } from './main';

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').filter(Boolean)];

function daemonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--netns <name|path>', 'watch this network namespace (repeatable) [VXSCOPE_NETNS]').argParser(collect))
    .addOption(new Option('--interface <if>', 'capture on this interface (repeatable) [VXSCOPE_INTERFACES]').argParser(collect))
    .option('--ports <list>', 'UDP ports decoded as VXLAN, e.g. 4789,8472 [VXSCOPE_PORTS]')
    .option('--listen <host:port>', 'HTTP/WebSocket listen address (default 127.0.0.1:9789) [VXSCOPE_LISTEN]')
    .option('--snaplen <bytes>', 'capture snapshot length [VXSCOPE_SNAPLEN]')
    .option('--log-level <level>', 'error | warn | log | debug [VXSCOPE_LOG_LEVEL]');
}

function configFrom(opts: Record<string, unknown>): ReturnType<typeof loadAppConfig> {
  const overrides: ConfigOverrides = {
    netns: opts.netns as string[] | undefined,
    interfaces: opts.interface as string[] | undefined,
    ports: opts.ports as string | undefined,
    listen: opts.listen as string | undefined,
    snaplen: opts.snaplen as string | undefined,
    logLevel: opts.logLevel as string | undefined,
  };
  return loadAppConfig(overrides);
}

async function demo(opts: Record<string, unknown>): Promise<void> {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: 'vxdemo' });
  const log = (msg: string): void => void process.stdout.write(`[demo] ${msg}\n`);
  await seed.destroy(); // leftovers of a run that was killed hard
  log(`building the seed overlay: ${seed.namespaces.join(', ')}`);
  await seed.create();
  const [c1, c2] = seed.containers;
  const traffic = [
    run.startIn(c1.netns, 'ping', ['-q', '-i', '0.2', c2.ip]),
    run.startIn(c2.netns, 'ping', ['-q', '-i', '1', c1.ip]),
  ];
  const config = configFrom({ ...opts, netns: [seed.hosts[0].netns] });
  const app = await serve(config, false);
  log(`traffic running between ${c1.ip} (${c1.netns}) and ${c2.ip} (${c2.netns})`);
  log(`dashboard: http://${config.listen.host}:${config.listen.port}/   (Ctrl-C stops and removes everything)`);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    log('stopping: daemon, traffic, namespaces');
    traffic.forEach((t) => t.kill('SIGKILL'));
    await app.close();
    await seed.destroy();
    log('all namespaces removed');
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => void stop());
  }
}

async function main(): Promise<void> {
  const program = new Command('vxscope').description('VXLAN overlay observability daemon');
  daemonOptions(program.command('serve').description('run the daemon')).action(async (opts: Record<string, unknown>) => {
    await serve(configFrom(opts));
  });
  daemonOptions(program.command('demo').description('build the seed overlay in namespaces, run traffic, serve the dashboard')).action(demo);
  await program.parseAsync(process.argv);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`vxscope: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`vxscope: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
