import type { CommandRunner } from './command.runner';

/**
 * The seed overlay: two VTEP hosts joined by an underlay veth, each with a bridge `obr0` and
 * `vxlan0 id VNI dstport 4789 remote <peer> local <self> dev u0` enslaved to it, and one container
 * on each bridge. Every piece lives in namespaces named `<prefix>-h1`, `-h2`, `-c1`, `-c2`.
 */
export interface SeedOverlayOptions {
  readonly prefix: string;
  readonly vni?: number;
  readonly port?: number;
  readonly underlay?: readonly [string, string];
  readonly containers?: readonly [string, string];
}

export interface SeedHost {
  readonly netns: string;
  readonly underlayIf: string;
  readonly underlayIp: string;
  readonly bridge: string;
  readonly vxlan: string;
}

export interface SeedContainer {
  readonly netns: string;
  readonly ifname: string;
  readonly ip: string;
  readonly mac: string;
  readonly host: SeedHost;
}

export class SeedOverlay {
  readonly hosts: readonly [SeedHost, SeedHost];
  readonly containers: readonly [SeedContainer, SeedContainer];
  readonly vni: number;
  readonly port: number;

  constructor(
    private readonly run: CommandRunner,
    readonly options: SeedOverlayOptions,
  ) {
    const p = options.prefix;
    const [u1, u2] = options.underlay ?? ['10.11.0.1', '10.11.0.2'];
    const [a1, a2] = options.containers ?? ['172.16.1.2', '172.16.1.3'];
    this.vni = options.vni ?? 1;
    this.port = options.port ?? 4789;
    const host = (n: number, ip: string): SeedHost => ({ netns: `${p}-h${n}`, underlayIf: 'u0', underlayIp: ip, bridge: 'obr0', vxlan: 'vxlan0' });
    const h1 = host(1, u1);
    const h2 = host(2, u2);
    this.hosts = [h1, h2];
    // Fixed, locally administered MACs make FDB assertions exact.
    this.containers = [
      { netns: `${p}-c1`, ifname: 'eth0', ip: a1, mac: '02:00:00:00:01:02', host: h1 },
      { netns: `${p}-c2`, ifname: 'eth0', ip: a2, mac: '02:00:00:00:01:03', host: h2 },
    ];
  }

  get namespaces(): string[] {
    return [...this.hosts.map((h) => h.netns), ...this.containers.map((c) => c.netns)];
  }

  async create(): Promise<void> {
    const ip = (ns: string, ...args: string[]): Promise<string> => this.run.run('ip', ['-n', ns, ...args]);
    try {
      for (const ns of this.namespaces) {
        await this.run.run('ip', ['netns', 'add', ns]);
        // No IPv6: router solicitations and DAD would add frames to the overlay that nobody asked for.
        await this.run.runIn(ns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
        await ip(ns, 'link', 'set', 'lo', 'up');
      }
      const [h1, h2] = this.hosts;
      await this.run.run('ip', ['link', 'add', 'u0', 'netns', h1.netns, 'type', 'veth', 'peer', 'name', 'u0', 'netns', h2.netns]);
      for (const [h, peer] of [
        [h1, h2],
        [h2, h1],
      ] as const) {
        await ip(h.netns, 'addr', 'add', `${h.underlayIp}/24`, 'dev', h.underlayIf);
        await ip(h.netns, 'link', 'set', h.underlayIf, 'up');
        await ip(h.netns, 'link', 'add', h.bridge, 'type', 'bridge');
        await ip(h.netns, 'link', 'set', h.bridge, 'up');
        await ip(h.netns, 'link', 'add', h.vxlan, 'type', 'vxlan', 'id', String(this.vni), 'dstport', String(this.port),
          'remote', peer.underlayIp, 'local', h.underlayIp, 'dev', h.underlayIf);
        await ip(h.netns, 'link', 'set', h.vxlan, 'master', h.bridge);
        await ip(h.netns, 'link', 'set', h.vxlan, 'up');
      }
      for (const [i, c] of this.containers.entries()) {
        const hostSide = `vc${i + 1}`;
        await this.run.run('ip', ['link', 'add', c.ifname, 'netns', c.netns, 'address', c.mac, 'type', 'veth', 'peer', 'name', hostSide, 'netns', c.host.netns]);
        await ip(c.netns, 'addr', 'add', `${c.ip}/24`, 'dev', c.ifname);
        await ip(c.netns, 'link', 'set', c.ifname, 'up');
        await ip(c.host.netns, 'link', 'set', hostSide, 'master', c.host.bridge);
        await ip(c.host.netns, 'link', 'set', hostSide, 'up');
      }
    } catch (err) {
      await this.destroy();
      throw err;
    }
  }

  /** Kills whatever still runs inside the namespaces, then deletes them (which deletes their devices). Idempotent. */
  async destroy(): Promise<void> {
    const existing = new Set((await this.run.run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]));
    for (const ns of this.namespaces) {
      if (!existing.has(ns)) {
        continue;
      }
      const pids = (await this.run.run('ip', ['netns', 'pids', ns]).catch(() => '')).split('\n').filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await this.run.run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
  }
}
