import type { Command } from 'commander';
import WebSocket from 'ws';

import { ApiError } from './api.error';
import { ConfigError, loadAppConfig, loadClientConfig, type ClientConfig } from '../config/app-config';
import { CommandRunner } from './command.runner';
import { collectLabGarbage } from './lab-gc';
import { LabRecordSource } from './lab-record.source';
import type { ProbeResult } from './lab-probe';
import type { LabRecord } from './lab.types';

const out = (s: string): void => void process.stdout.write(`${s}\n`);

async function call<T>(c: ClientConfig, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${c.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(c.token ? { authorization: `Bearer ${c.token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new ApiError(`cannot reach the daemon at ${c.url} (${cause}); start it with "vxscope serve"`);
  }
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try {
      const j = JSON.parse(text) as { message?: string | string[] };
      msg = Array.isArray(j.message) ? j.message.join('; ') : (j.message ?? text);
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(`${method} ${path}: HTTP ${res.status}: ${msg}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Prints the daemon's lab progress messages while `work` runs. */
async function withProgress<T>(c: ClientConfig, work: () => Promise<T>): Promise<T> {
  const ws = new WebSocket(`${c.url.replace(/^http/, 'ws')}/ws`);
  ws.on('message', (raw: WebSocket.RawData) => {
    const msg = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : '{}') as { type: string; data: { labId: string; phase: string; message: string; done?: number; total?: number } };
    if (msg.type === 'lab.progress') {
      const d = msg.data;
      out(`  [${d.labId} ${d.phase}${d.total ? ` ${d.done}/${d.total}` : ''}] ${d.message}`);
    }
  });
  ws.on('error', () => undefined); // progress is a courtesy; the request itself reports errors
  await new Promise<void>((resolve) => {
    ws.once('open', () => resolve());
    ws.once('error', () => resolve());
  });
  try {
    return await work();
  } finally {
    ws.close();
  }
}

function printLab(l: LabRecord): void {
  out(`lab ${l.id}  ${l.spec.mode}  VNI ${l.spec.vni}  port ${l.spec.port}  MTU ${l.spec.mtu}  state ${l.state}${l.spec.group ? `  group ${l.spec.group}` : ''}`);
  for (const h of l.hosts) {
    out(`  host ${h.index}  ${h.netns}  VTEP ${h.underlayIp}`);
    for (const e of h.endpoints) {
      out(`    endpoint ${e.netns}  ${e.ip}  ${e.mac}`);
    }
  }
  for (const f of l.faults) {
    out(`  fault ${f.id}: ${f.type} on host ${f.host} since ${f.appliedAt}`);
  }
}

function printProbe(r: ProbeResult): void {
  for (const p of r.pairs) {
    out(`  ${p.pass ? 'ok  ' : 'FAIL'} ${p.fromIp} → ${p.toIp}  ${p.received}/${p.sent}${p.rttMs !== undefined ? `  ${p.rttMs.toFixed(2)} ms` : ''}  arp ${p.arp}`);
  }
  for (const m of r.mtu) {
    out(`  ${m.pass === m.fits ? 'ok  ' : 'FAIL'} DF ${m.ipBytes} bytes ${m.from} → ${m.to}: ${m.pass ? 'passed' : 'dropped'} (${m.fits ? 'fits' : 'exceeds'} the MTU)`);
  }
  out(r.pass ? 'probe: PASS' : 'probe: FAIL');
}

const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) {
    throw new ConfigError([`${name}: "${v}" is not a whole number`]);
  }
  return Number(v);
};

/** `vxscope lab create|list|probe|fault|delete|gc`: the lab API from the terminal. */
export function registerLabCommands(program: Command): void {
  const lab = program.command('lab').description('build, probe, break and remove test overlays (talks to a running daemon)');
  lab.option('--url <url>', 'daemon URL [VXSCOPE_URL]').option('--token <token>', 'bearer token [VXSCOPE_TOKEN]');
  const client = (): ClientConfig => loadClientConfig(lab.opts<{ url?: string; token?: string }>());

  lab
    .command('create')
    .requiredOption('--mode <mode>', 'unicast | multicast | static-fdb')
    .requiredOption('--vni <vni>', 'VNI', int('vni'))
    .option('--hosts <n>', 'VTEP hosts (unicast: 2)', int('hosts'), 2)
    .option('--port <port>', 'VXLAN UDP port', int('port'))
    .option('--mtu <mtu>', 'vxlan device MTU', int('mtu'))
    .option('--endpoints <n>', 'endpoints per host', int('endpoints'))
    .option('--no-learning', 'create the vxlan devices with learning off')
    .option('--group <addr>', 'multicast group')
    .action(async (o: { mode: string; vni: number; hosts: number; port?: number; mtu?: number; endpoints?: number; learning: boolean; group?: string }) => {
      const c = client();
      const body = { mode: o.mode, vni: o.vni, hosts: o.hosts, port: o.port, mtu: o.mtu, endpointsPerHost: o.endpoints, learning: o.learning, group: o.group };
      printLab(await withProgress(c, () => call<LabRecord>(c, 'POST', '/api/labs', body)));
    });
  lab.command('list').action(async () => {
    const labs = await call<LabRecord[]>(client(), 'GET', '/api/labs');
    labs.forEach(printLab);
    if (labs.length === 0) {
      out('no labs');
    }
  });
  lab
    .command('probe')
    .argument('<id>')
    .action(async (id: string) => {
      const c = client();
      const r = await withProgress(c, () => call<ProbeResult>(c, 'POST', `/api/labs/${encodeURIComponent(id)}/probe`));
      printProbe(r);
      process.exitCode = r.pass ? 0 : 3;
    });
  lab
    .command('fault')
    .argument('<id>')
    .argument('[type]', 'vni-mismatch | port-mismatch | drop-flood-entry | stale-fdb | link-down | detach-from-bridge | mtu | underlay-drop | mac-flap | learning-off')
    .option('--host <n>', 'host index', int('host'))
    .option('--revert <faultId>', 'undo a fault instead')
    .action(async (id: string, type: string | undefined, o: { host?: number; revert?: string }) => {
      const c = client();
      if (o.revert) {
        await call(c, 'DELETE', `/api/labs/${encodeURIComponent(id)}/faults/${encodeURIComponent(o.revert)}`);
        out(`fault ${o.revert} of lab ${id} reverted`);
        return;
      }
      if (!type) {
        throw new ConfigError(['fault: give a fault type, or --revert <faultId>']);
      }
      const f = await call<{ id: string; type: string; host: number; effect: string }>(c, 'POST', `/api/labs/${encodeURIComponent(id)}/faults`, { type, host: o.host });
      out(`fault ${f.id}: ${f.type} on host ${f.host}: ${f.effect}`);
    });
  lab
    .command('delete')
    .argument('<id>')
    .action(async (id: string) => {
      await call(client(), 'DELETE', `/api/labs/${encodeURIComponent(id)}`);
      out(`lab ${id} removed`);
    });
  lab
    .command('gc')
    .description('remove labs left by a daemon that is gone (reads the records in the data directory)')
    .option('--data-dir <dir>', 'data directory [VXSCOPE_DATA_DIR]')
    .option('--force', 'also remove labs whose daemon still runs')
    .action(async (o: { dataDir?: string; force?: boolean }) => {
      const config = loadAppConfig({ dataDir: o.dataDir });
      const run = new CommandRunner();
      const report = await collectLabGarbage(new LabRecordSource(config), run, config.labPrefix, o.force === true);
      out(`removed labs: ${report.removedLabs.join(', ') || 'none'}`);
      report.removedNamespaces.forEach((n) => out(`  removed namespace ${n}`));
      if (report.keptLabs.length > 0) {
        out(`kept (their daemon still runs; --force to remove): ${report.keptLabs.join(', ')}`);
      }
      if (report.unrecorded.length > 0) {
        out(`namespaces under the lab prefix with no record (left alone): ${report.unrecorded.join(', ')}`);
      }
    });
}

