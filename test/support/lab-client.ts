/**
 * What the lab suites share: the real daemon with a lab prefix and data directory of its own, a
 * small client for /api/labs, the `vxscope lab` CLI, and snapshots and sweeps of the namespaces a
 * prefix owns.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { CommandError, CommandRunner } from '../../apps/vxscope/src/lab/command.runner';
import type { PairResult, ProbeResult } from '../../apps/vxscope/src/lab/lab-probe';
import type { LabFault, LabRecord } from '../../apps/vxscope/src/lab/lab.types';
import { DaemonProcess } from './daemon';
import { uniquePrefix } from './env';

const ROOT = path.resolve(__dirname, '../..');
const run = new CommandRunner();

export type { LabFault, LabRecord, PairResult, ProbeResult };

/**
 * A lab prefix of this suite's own. The daemon wants /^[a-z][a-z0-9]{1,11}$/ (no dashes), so the
 * suite's unique prefix is hashed down to `l` + 8 hex digits.
 */
export function labPrefix(): string {
  return `l${createHash('sha256').update(uniquePrefix()).digest('hex').slice(0, 8)}`;
}

export interface HttpResult<T = any> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

/** /api/labs over fetch; every helper but `request` throws unless the status is the expected one. */
export class LabClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** `token`: undefined = the client's own, null = no Authorization header, a string = that bearer token. */
  async request<T = any>(
    method: string,
    urlPath: string,
    body?: unknown,
    o: { token?: string | null; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const token = o.token === undefined ? this.token : o.token;
    const res = await fetch(`${this.baseUrl}${urlPath}`, {
      method,
      headers: {
        ...(body !== undefined || o.raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...o.headers,
      },
      body: o.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as T, text };
  }

  private async expect<T>(status: number, method: string, urlPath: string, body?: unknown): Promise<T> {
    const r = await this.request<T>(method, urlPath, body);
    if (r.status !== status) {
      throw new Error(`${method} ${urlPath}: expected HTTP ${status}, got ${r.status}: ${r.text}`);
    }
    return r.body;
  }

  create(spec: Record<string, unknown>): Promise<LabRecord> {
    return this.expect(201, 'POST', '/api/labs', spec);
  }

  list(): Promise<LabRecord[]> {
    return this.expect(200, 'GET', '/api/labs');
  }

  get(id: string): Promise<LabRecord> {
    return this.expect(200, 'GET', `/api/labs/${id}`);
  }

  probe(id: string): Promise<ProbeResult> {
    return this.expect(200, 'POST', `/api/labs/${id}/probe`);
  }

  addFault(id: string, type: string, host: number): Promise<LabFault & { effect: string }> {
    return this.expect(201, 'POST', `/api/labs/${id}/faults`, { type, host });
  }

  async removeFault(id: string, faultId: string): Promise<void> {
    await this.expect(204, 'DELETE', `/api/labs/${id}/faults/${faultId}`);
  }

  async delete(id: string): Promise<void> {
    await this.expect(204, 'DELETE', `/api/labs/${id}`);
  }

  fdb(netns: string, device = 'vxlan0'): Promise<FdbRow[]> {
    return this.expect(200, 'GET', `/api/fdb?netns=${encodeURIComponent(netns)}&device=${device}`);
  }

  links(netns: string): Promise<{ vxlan: VxlanRow[]; bridges: { name: string; ports: string[] }[] }> {
    return this.expect(200, 'GET', `/api/links?netns=${encodeURIComponent(netns)}`);
  }
}

export interface FdbRow {
  netns: string;
  mac: string;
  device: string;
  master?: string;
  vni?: number;
  dst?: string;
  flags: string[];
  state: string[];
  type: 'static' | 'learned';
}

export interface VxlanRow {
  netns: string;
  name: string;
  vni?: number;
  local?: string;
  remote?: string;
  group?: string;
  dstport?: number;
  learning?: boolean;
  up: boolean;
  master?: string;
}

/** A vxlan device's own remote entries for real MACs (not the all-zeros flood entries, not the bridge's). */
export function vtepEntries(rows: readonly FdbRow[]): FdbRow[] {
  return rows.filter((r) => r.dst !== undefined && r.flags.includes('self') && r.mac !== '00:00:00:00:00:00');
}

/** The real daemon with its own VXSCOPE_LAB_PREFIX and VXSCOPE_DATA_DIR; `teardown` leaves nothing behind. */
export class LabDaemon {
  private constructor(
    readonly daemon: DaemonProcess,
    readonly prefix: string,
    readonly dataDir: string,
    readonly client: LabClient,
  ) {}

  static async start(o: { args?: string[]; env?: Record<string, string>; token?: string } = {}): Promise<LabDaemon> {
    const prefix = labPrefix();
    const dataDir = mkdtempSync(path.join(tmpdir(), `vxscope-${prefix}-`));
    const args = [...(o.args ?? []), ...(o.token ? ['--token', o.token] : [])];
    const daemon = await DaemonProcess.start(args, { env: { VXSCOPE_LAB_PREFIX: prefix, VXSCOPE_DATA_DIR: dataDir, ...o.env } });
    return new LabDaemon(daemon, prefix, dataDir, new LabClient(daemon.baseUrl, o.token));
  }

  get env(): Record<string, string> {
    return { VXSCOPE_LAB_PREFIX: this.prefix, VXSCOPE_DATA_DIR: this.dataDir };
  }

  get recordsDir(): string {
    return path.join(this.dataDir, 'labs');
  }

  /** DELETE every lab, stop the daemon, then remove whatever still carries the prefix. */
  async teardown(): Promise<void> {
    try {
      const labs = await this.client.list();
      for (const l of labs) {
        await this.client.delete(l.id).catch(() => undefined);
      }
    } catch {
      // the daemon is gone already: the sweep below does the work
    }
    await this.daemon.stop();
    await sweepNamespaces(this.prefix);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Names from `ip netns list` under `<prefix>-`, sorted. */
export async function namespacesOf(prefix: string): Promise<string[]> {
  return (await run.run('ip', ['netns', 'list']))
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(`${prefix}-`))
    .sort();
}

/** Last resort: kill what runs inside and delete every namespace under the prefix. */
export async function sweepNamespaces(prefix: string): Promise<string[]> {
  const names = await namespacesOf(prefix);
  for (const ns of names) {
    const pids = (await run.run('ip', ['netns', 'pids', ns]).catch(() => '')).split('\n').filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await run.run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
  return names;
}

// Device names the lab module gives out; none of them may ever appear in the root namespace.
const LAB_DEVICE = /^(u0|p\d+|ve\d+|obr0|ubr0|vxlan0)(@.*)?$/;

export interface NetSnapshot {
  /** `ip netns list` under the prefix. */
  readonly namespaces: string[];
  /** `ip -all netns exec ip -o link`, the sections of namespaces under the prefix, by namespace. */
  readonly links: Record<string, string>;
  /** Root-namespace links named like lab devices. */
  readonly rootLabLinks: string[];
}

/**
 * What exists under the prefix, as `ip netns list` and `ip -all netns exec ip link` show it.
 * Namespaces of other prefixes (other suites, other runs) are left out: they come and go meanwhile.
 */
export async function snapshot(prefix: string): Promise<NetSnapshot> {
  const all = await run.run('ip', ['-all', 'netns', 'exec', 'ip', '-o', 'link']).catch((err: unknown) => {
    // A namespace of someone else that vanished halfway makes `ip -all` fail; the rest is still printed.
    if (err instanceof CommandError) {
      return err.stdout;
    }
    throw err;
  });
  const links: Record<string, string> = {};
  for (const section of all.split(/^netns: /m).slice(1)) {
    const nl = section.indexOf('\n');
    const name = section.slice(0, nl).trim();
    if (name.startsWith(`${prefix}-`)) {
      links[name] = section.slice(nl + 1).trim();
    }
  }
  const root = (await run.run('ip', ['-o', 'link']))
    .split('\n')
    .map((l) => /^\d+: ([^:]+):/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && LAB_DEVICE.test(n));
  return { namespaces: await namespacesOf(prefix), links, rootLabLinks: root.sort() };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `./bin/vxscope …` with extra environment; resolves with the exit code whatever it is. */
export function vxscope(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(path.join(ROOT, 'bin/vxscope'), [...args], { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `from>to` by IP, the key the suites use for probe pairs. */
export const pairKey = (p: Pick<PairResult, 'fromIp' | 'toIp'>): string => `${p.fromIp}>${p.toIp}`;

/** The keys of the probe's failing pairs, sorted. */
export function failingPairs(r: ProbeResult): string[] {
  return r.pairs
    .filter((p) => !p.pass)
    .map(pairKey)
    .sort();
}

/** One line per pair, for failure messages. */
export function describeProbe(r: ProbeResult): string {
  return [
    ...r.pairs.map((p) => `${p.pass ? 'ok  ' : 'FAIL'} ${p.fromIp} > ${p.toIp} ${p.received}/${p.sent} arp ${p.arp}`),
    ...r.mtu.map((m) => `${m.pass === m.fits ? 'ok  ' : 'FAIL'} DF ${m.ipBytes} ${m.from} > ${m.to} ${m.pass ? 'passed' : 'dropped'}`),
  ].join('\n');
}
