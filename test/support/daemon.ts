import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) {
        return v;
      }
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export interface DaemonOptions {
  /** Added to this process's environment (e.g. VXSCOPE_LAB_PREFIX, VXSCOPE_DATA_DIR). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The real daemon (./bin/vxscope serve) as a child process, with its output kept for failure messages. */
export class DaemonProcess {
  readonly output: string[] = [];
  private child?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly args: readonly string[],
    private readonly options: DaemonOptions = {},
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(args: readonly string[], options: DaemonOptions = {}): Promise<DaemonProcess> {
    const d = new DaemonProcess(await freePort(), args, options);
    d.spawn();
    await waitFor('the daemon to answer /healthz', async () => ((await fetch(`${d.baseUrl}/healthz`)).ok ? true : undefined), 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- daemon output ---\n${d.output.join('')}`);
    });
    return d;
  }

  private spawn(): void {
    // Tests never write to the machine's /var/lib/vxscope: each daemon gets a data dir of its own
    // unless the test chose one.
    const env: Record<string, string | undefined> = { ...process.env, ...this.options.env };
    if (!this.args.includes('--data-dir') && this.options.env?.VXSCOPE_DATA_DIR === undefined) {
      env.VXSCOPE_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'vxscope-data-'));
    }
    const child = spawn(path.join(ROOT, 'bin/vxscope'), ['serve', '--listen', `127.0.0.1:${this.port}`, ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    child.stdout?.on('data', (b: Buffer) => this.output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.output.push(b.toString()));
    this.child = child;
  }

  async get<T>(urlPath: string): Promise<T> {
    const res = await fetch(`${this.baseUrl}${urlPath}`);
    if (!res.ok) {
      throw new Error(`GET ${urlPath}: HTTP ${res.status} ${await res.text()}`);
    }
    return (await res.json()) as T;
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
