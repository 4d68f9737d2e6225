/**
 * The collector as the daemon's rtnetlink agent. The real collector process (dist/, so run
 * `npm run build` first) runs inside a test namespace, started as CollectorService starts it
 * (nsenter, IPC channel), and gets `netlink.request` messages as CollectorService sends them. Each
 * reply is checked against `ip -j` and `bridge -j` in that namespace. The namespace holds its own
 * underlay (a veth pair), so nothing leaves it.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

import type {
  CollectorMessage,
  CollectorOptions,
  DaemonMessage,
  NetlinkOp,
  NetlinkOps,
  NetlinkReply,
  NetlinkRequest,
} from '../apps/vxscope/src/collector/collector.protocol';
import type { NetlinkEvent } from '../apps/vxscope/src/netlink/netlink.types';
import { waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';

const ROOT = path.resolve(__dirname, '..');
const COLLECTOR_MAIN = path.join(ROOT, 'dist/apps/vxscope/src/collector/collector.main.js');
const NS = `${uniquePrefix()}-op`;
const ZERO_MAC = '00:00:00:00:00:00';

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  master?: string;
  address: string;
  linkinfo?: { info_kind: string; info_data?: Record<string, unknown>; info_slave_data?: { state?: string } };
}
interface IpAddr {
  addr_info: { family: string; local: string; prefixlen: number }[];
}
interface BridgeFdb {
  mac: string;
  ifname: string;
  dst?: string;
  vni?: number;
  port?: number;
  master?: string;
  flags: string[];
  state: string;
}

function run(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const ip = (...args: string[]): string => run('ip', '-n', NS, ...args);
const links = (): IpLink[] => JSON.parse(ip('-j', '-d', 'link', 'show')) as IpLink[];
const link = (name: string): IpLink | undefined => links().find((l) => l.ifname === name);
const addresses = (dev: string): IpAddr['addr_info'] =>
  (JSON.parse(ip('-j', 'addr', 'show', 'dev', dev)) as IpAddr[])[0].addr_info;
const fdb = (dev: string): BridgeFdb[] =>
  JSON.parse(run('ip', 'netns', 'exec', NS, 'bridge', '-j', 'fdb', 'show', 'dev', dev)) as BridgeFdb[];

function deleteNamespace(): void {
  try {
    run('ip', 'netns', 'del', NS);
  } catch {
    // not created, or already gone
  }
}

/** The collector child, talking the daemon's side of the IPC protocol. */
class CollectorAgent {
  readonly messages: CollectorMessage[] = [];
  readonly output: string[] = [];
  private readonly replies = new Map<number, (reply: NetlinkReply) => void>();
  private lastId = 0;
  private exited?: string;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (b: Buffer) => this.output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.output.push(b.toString()));
    child.on('message', (msg: CollectorMessage) => {
      this.messages.push(msg);
      if (msg.type === 'netlink.reply') {
        this.replies.get(msg.id)?.(msg);
        this.replies.delete(msg.id);
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = `collector exited (${signal ?? `code ${code}`})\n${this.output.join('')}`;
    });
  }

  static start(netns: string): CollectorAgent {
    const options: CollectorOptions = {
      interfaces: [],
      ports: [4789, 8472],
      snaplen: 256,
      bufferTimeoutMs: 100,
      flushIntervalMs: 250,
    };
    const child = spawn(
      'nsenter',
      [`--net=/var/run/netns/${netns}`, '--', process.execPath, COLLECTOR_MAIN, JSON.stringify(options)],
      {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
      },
    );
    return new CollectorAgent(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async ready(): Promise<void> {
    await waitFor('the collector to send ready', async () => {
      if (this.exited) {
        throw new Error(this.exited);
      }
      return this.messages.some((m) => m.type === 'ready') ? true : undefined;
    });
  }

  request<K extends NetlinkOp>(op: K, args: NetlinkOps[K]['args']): Promise<NetlinkReply> {
    if (this.exited) {
      return Promise.reject(new Error(this.exited));
    }
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply to ${op} within 10 s\n${this.output.join('')}`)),
        10_000,
      );
      this.replies.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.send({ type: 'netlink.request', id, op, args } as NetlinkRequest satisfies DaemonMessage);
    });
  }

  /** Like CollectorService.request: the result, or a thrown error carrying the reply. */
  async ok<K extends NetlinkOp>(op: K, args: NetlinkOps[K]['args']): Promise<number | undefined> {
    const reply = await this.request(op, args);
    if (!reply.ok) {
      throw new Error(`${op} ${JSON.stringify(args)} failed: ${reply.error}`);
    }
    return reply.result;
  }

  events(): NetlinkEvent[] {
    return this.messages.flatMap((m) => (m.type === 'netlink.event' ? [m.event] : []));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) {
      this.child.send({ type: 'stop' } satisfies DaemonMessage);
    }
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(kill);
  }
}

describe('collector as the rtnetlink agent of its namespace', () => {
  let agent: CollectorAgent;
  let u0: number;
  let obr0: number;
  let vxlan0: number;
  let vxs0: number;

  beforeAll(async () => {
    if (!existsSync(COLLECTOR_MAIN)) {
      throw new Error(`${COLLECTOR_MAIN} is missing: run npm run build first`);
    }
    deleteNamespace();
    run('ip', 'netns', 'add', NS);
    ip('link', 'set', 'lo', 'up');
    // The underlay: u0 is this VTEP's, u1 stands in for the peers (10.66.0.2 and up).
    ip('link', 'add', 'u0', 'type', 'veth', 'peer', 'name', 'u1');
    ip('addr', 'add', '10.66.0.2/24', 'dev', 'u1');
    ip('link', 'set', 'u1', 'up');
    u0 = link('u0')!.ifindex;
    agent = CollectorAgent.start(NS);
    await agent.ready();
  });

  afterAll(async () => {
    await agent?.stop();
    deleteNamespace();
  });

  it('should create a bridge and answer with its ifindex', async () => {
    obr0 = (await agent.ok('createBridge', { name: 'obr0' }))!;
    expect(link('obr0')).toMatchObject({ ifindex: obr0, linkinfo: { info_kind: 'bridge' } });
    // The collector's own event stream sees its change, so the daemon's topology follows labs.
    await waitFor(
      'link.changed for obr0',
      async () =>
        agent.events().some((e) => e.type === 'link.changed' && e.link.ifindex === obr0 && e.link.kind === 'bridge') ||
        undefined,
    );
  });

  it("should answer a duplicate create with ok: false and the kernel's EEXIST", async () => {
    expect(await agent.request('createBridge', { name: 'obr0' })).toEqual({
      type: 'netlink.reply',
      id: expect.any(Number),
      ok: false,
      error: 'createBridge obr0: EEXIST (file already exists)',
      op: 'createBridge',
      code: 'EEXIST',
      errno: 17,
    });
  });

  it('should add IPv4 and IPv6 addresses and bring the underlay up', async () => {
    await agent.ok('addAddress', { ifindex: u0, cidr: '10.66.0.1/24' });
    await agent.ok('addAddress', { ifindex: u0, cidr: 'fd66::1/64' });
    await agent.ok('setLink', { ifindex: u0, up: true });
    const mine = addresses('u0').map((a) => `${a.family} ${a.local}/${a.prefixlen}`);
    expect(mine).toEqual(expect.arrayContaining(['inet 10.66.0.1/24', 'inet6 fd66::1/64']));
    expect(link('u0')!.flags).toContain('UP');
    expect((await agent.request('addAddress', { ifindex: u0, cidr: '10.66.0.1/24' })).ok).toBe(false);
  });

  it('should create a unicast vxlan device with a remote on the underlay device', async () => {
    vxlan0 = (await agent.ok('createVxlan', {
      name: 'vxlan0',
      vni: 1,
      port: 4789,
      local: '10.66.0.1',
      remote: '10.66.0.2',
      underlayIfindex: u0,
      learning: true,
      ttl: 16,
    }))!;
    expect(link('vxlan0')).toMatchObject({
      ifindex: vxlan0,
      linkinfo: {
        info_kind: 'vxlan',
        info_data: { id: 1, port: 4789, local: '10.66.0.1', remote: '10.66.0.2', link: 'u0', learning: true, ttl: 16 },
      },
    });
  });

  it('should create a multicast vxlan device with a group on the underlay device', async () => {
    const vxmc0 = await agent.ok('createVxlan', {
      name: 'vxmc0',
      vni: 2,
      port: 8472,
      group: '239.1.1.2',
      underlayIfindex: u0,
      learning: false,
    });
    expect(link('vxmc0')).toMatchObject({
      ifindex: vxmc0,
      linkinfo: {
        info_kind: 'vxlan',
        info_data: { id: 2, port: 8472, group: '239.1.1.2', link: 'u0', learning: false },
      },
    });
    expect(link('vxmc0')!.linkinfo!.info_data).not.toHaveProperty('remote');
  });

  it('should create a vxlan device without remote and flood to two peers with appended all-zeros entries', async () => {
    vxs0 = (await agent.ok('createVxlan', { name: 'vxs0', vni: 3, port: 4789, local: '10.66.0.1', learning: false }))!;
    const data = link('vxs0')!.linkinfo!.info_data!;
    expect(data).toMatchObject({ id: 3, port: 4789, local: '10.66.0.1', learning: false });
    expect(data).not.toHaveProperty('remote');
    expect(data).not.toHaveProperty('group');

    for (const dst of ['10.66.0.2', '10.66.0.3']) {
      await agent.ok('addFdb', { ifindex: vxs0, mac: ZERO_MAC, dst, mode: 'append', permanent: true, self: true });
    }
    const flood = fdb('vxs0').filter((e) => e.mac === ZERO_MAC);
    expect(flood.map((e) => e.dst).sort()).toEqual(['10.66.0.2', '10.66.0.3']);
    expect(flood.every((e) => e.flags.includes('self') && e.state === 'permanent')).toBe(true);
  });

  it('should create an IPv6 vxlan device and append IPv6 remotes', async () => {
    const vx6 = (await agent.ok('createVxlan', {
      name: 'vx6',
      vni: 6,
      port: 4789,
      local: 'fd66::1',
      remote: 'fd66::2',
      learning: true,
    }))!;
    expect(link('vx6')!.linkinfo!.info_data).toMatchObject({ id: 6, local6: 'fd66::1', remote6: 'fd66::2' });
    await agent.ok('addFdb', {
      ifindex: vx6,
      mac: ZERO_MAC,
      dst: 'fd66::3',
      mode: 'append',
      permanent: true,
      self: true,
    });
    expect(fdb('vx6').map((e) => e.dst)).toEqual(expect.arrayContaining(['fd66::2', 'fd66::3']));
    await agent.ok('deleteLink', { ifindex: vx6 });
    expect(link('vx6')).toBeUndefined();
  });

  it('should add, refuse to re-add, replace and delete a static entry', async () => {
    const mac = '02:00:00:00:00:0a';
    await agent.ok('addFdb', { ifindex: vxs0, mac, dst: '10.66.0.2', mode: 'add', permanent: true, self: true });
    expect(fdb('vxs0').filter((e) => e.mac === mac)).toEqual([
      expect.objectContaining({ dst: '10.66.0.2', state: 'permanent' }),
    ]);

    const again = await agent.request('addFdb', {
      ifindex: vxs0,
      mac,
      dst: '10.66.0.2',
      mode: 'add',
      permanent: true,
      self: true,
    });
    expect(again).toMatchObject({ ok: false, op: 'addFdb', code: 'EEXIST', errno: 17 });

    await agent.ok('addFdb', {
      ifindex: vxs0,
      mac,
      dst: '10.66.0.4',
      vni: 7,
      port: 8472,
      mode: 'replace',
      permanent: true,
      self: true,
    });
    const replaced = fdb('vxs0').filter((e) => e.mac === mac);
    expect(replaced).toEqual([expect.objectContaining({ dst: '10.66.0.4', vni: 7, port: 8472 })]);

    await agent.ok('deleteFdb', { ifindex: vxs0, mac });
    expect(fdb('vxs0').filter((e) => e.mac === mac)).toEqual([]);
  });

  it('should delete one remote of the all-zeros entry and keep the other', async () => {
    await agent.ok('deleteFdb', { ifindex: vxs0, mac: ZERO_MAC, dst: '10.66.0.3' });
    expect(
      fdb('vxs0')
        .filter((e) => e.mac === ZERO_MAC)
        .map((e) => e.dst),
    ).toEqual(['10.66.0.2']);
    // The kernel ACKs a remote that is already gone as long as the MAC has others; an unknown MAC is ENOENT.
    expect(await agent.request('deleteFdb', { ifindex: vxs0, mac: ZERO_MAC, dst: '10.66.0.3' })).toMatchObject({
      ok: true,
    });
    const missing = await agent.request('deleteFdb', { ifindex: vxs0, mac: '02:00:00:00:00:0c' });
    expect(missing).toMatchObject({ ok: false, op: 'deleteFdb', code: 'ENOENT', errno: 2 });
  });

  it('should set master, mtu, MAC and up in one request', async () => {
    await agent.ok('setLink', { ifindex: obr0, up: true });
    await agent.ok('setLink', { ifindex: vxlan0, master: obr0, mtu: 1400, mac: '02:00:00:00:aa:01', up: true });
    expect(link('vxlan0')).toMatchObject({ master: 'obr0', mtu: 1400, address: '02:00:00:00:aa:01' });
    expect(link('vxlan0')!.flags).toContain('UP');
  });

  it("should add and delete a dynamic entry in the bridge's table (master)", async () => {
    // The bridge takes dynamic entries only on a port that learns (bridge and port up: forwarding).
    await waitFor(
      'vxlan0 forwarding in obr0',
      async () => link('vxlan0')!.linkinfo?.info_slave_data?.state === 'forwarding' || undefined,
    );
    const mac = '02:00:00:00:00:0b';
    await agent.ok('addFdb', { ifindex: vxlan0, mac, mode: 'add', permanent: false, self: false });
    const [entry] = fdb('vxlan0').filter((e) => e.mac === mac);
    expect(entry).toMatchObject({ master: 'obr0' });
    expect(entry.flags).not.toContain('self');
    expect(entry.state).not.toBe('permanent');
    await agent.ok('deleteFdb', { ifindex: vxlan0, mac, self: false });
    expect(fdb('vxlan0').filter((e) => e.mac === mac)).toEqual([]);
  });

  it('should switch learning off and on again on an existing vxlan device', async () => {
    await agent.ok('changeVxlanLearning', { ifindex: vxlan0, learning: false });
    expect(link('vxlan0')!.linkinfo!.info_data).toMatchObject({ learning: false, id: 1, remote: '10.66.0.2' });
    await agent.ok('changeVxlanLearning', { ifindex: vxlan0, learning: true });
    expect(link('vxlan0')!.linkinfo!.info_data).toMatchObject({ learning: true });
  });

  it('should release the port (nomaster) and bring it down', async () => {
    await agent.ok('setLink', { ifindex: vxlan0, master: null, up: false });
    const l = link('vxlan0')!;
    expect(l.master).toBeUndefined();
    expect(l.flags).not.toContain('UP');
  });

  it('should delete the addresses', async () => {
    await agent.ok('deleteAddress', { ifindex: u0, cidr: '10.66.0.1/24' });
    await agent.ok('deleteAddress', { ifindex: u0, cidr: 'fd66::1/64' });
    const left = addresses('u0').map((a) => a.local);
    expect(left).not.toContain('10.66.0.1');
    expect(left).not.toContain('fd66::1');
  });

  it('should refuse bad arguments without asking the kernel', async () => {
    expect(await agent.request('addAddress', { ifindex: u0, cidr: '10.66.0.1/40' })).toMatchObject({
      ok: false,
      op: 'addAddress',
      code: 'EINVAL',
    });
    expect(
      await agent.request('createVxlan', { name: 'vxbad', vni: 1, port: 4789, remote: '239.1.1.1', learning: true }),
    ).toMatchObject({
      ok: false,
      code: 'EINVAL',
      error: expect.stringContaining('use group'),
    });
    expect(link('vxbad')).toBeUndefined();
  });

  it('should delete links, answering each of several concurrent requests by its id', async () => {
    const vxmc0 = link('vxmc0')!.ifindex;
    const replies = await Promise.all(
      [vxmc0, vxs0, vxlan0, obr0].map((ifindex) => agent.request('deleteLink', { ifindex })),
    );
    expect(replies.every((r) => r.ok)).toBe(true);
    expect(new Set(replies.map((r) => r.id)).size).toBe(4);
    expect(
      links()
        .map((l) => l.ifname)
        .sort(),
    ).toEqual(['lo', 'u0', 'u1']);
    expect(await agent.request('deleteLink', { ifindex: obr0 })).toMatchObject({
      ok: false,
      op: 'deleteLink',
      code: 'ENODEV',
      errno: 19,
    });
  });
});
