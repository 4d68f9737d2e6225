/**
 * `vxscope demo` (the README's main job) as a user runs it: it serves live traffic, and Ctrl-C or a
 * failed start leaves no namespace behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { freePort, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';

const BIN = path.resolve(__dirname, '../bin/vxscope');

const namespacesWith = (prefix: string): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(`${prefix}-`));

function startDemo(prefix: string, port: number): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vxscope-demo-'));
  const child = spawn(BIN, ['demo', '--prefix', prefix, '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('vxscope demo', () => {
  const prefixes: string[] = [];

  afterAll(() => {
    // Only if a test failed before the demo cleaned up: never leave namespaces behind.
    for (const p of prefixes) {
      for (const ns of namespacesWith(p)) {
        execFileSync('ip', ['netns', 'del', ns]);
      }
    }
  });

  it('should serve live VNI traffic and remove every namespace on Ctrl-C', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const port = await freePort();
    const demo = startDemo(prefix, port);
    try {
      await waitFor('the dashboard URL', async () => (demo.output().includes(`dashboard: http://127.0.0.1:${port}/`) ? true : undefined), 30_000);
      expect(namespacesWith(prefix).sort()).toEqual([`${prefix}-c1`, `${prefix}-c2`, `${prefix}-h1`, `${prefix}-h2`]);
      const html = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      expect(html).toContain('<canvas id="vni-chart"');
      const vni = await waitFor('traffic on VNI 1', async () => {
        const vnis = (await (await fetch(`http://127.0.0.1:${port}/api/vnis`)).json()) as { vni: number; packets: number; pps: number }[];
        return vnis.find((v) => v.vni === 1 && v.packets > 10 && v.pps > 0);
      }, 15_000);
      expect(vni.packets).toBeGreaterThan(10);
    } finally {
      demo.child.kill('SIGINT');
    }
    expect(await demo.exited).toBe(0);
    expect(demo.output()).toContain('all namespaces removed');
    expect(namespacesWith(prefix)).toEqual([]);
  });

  it('should remove what it built when the daemon cannot start', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const demo = startDemo(prefix, port);
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toMatch(/EADDRINUSE/);
      expect(namespacesWith(prefix)).toEqual([]);
    } finally {
      blocker.close();
    }
  });
});
