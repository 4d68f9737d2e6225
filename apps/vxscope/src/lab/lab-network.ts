import type { CollectorService } from '../collector/collector.service';
import type { CommandRunner } from './command.runner';
import { removeLabNamespaces } from './lab-namespaces';
import type { LabEndpoint, LabHost, LabRecord } from './lab.types';

const ZERO_MAC = '00:00:00:00:00:00';
const UNDERLAY_MTU = 1500;

/**
 * Builds and removes a lab's namespaces and devices. Inside VTEP hosts every link, address and FDB
 * entry goes through rtnetlink, via the collector the daemon runs in that namespace. Namespaces,
 * cross-namespace veth pairs, the underlay switch and the endpoints (where no collector runs) use
 * `ip` with argument arrays.
 */
export class LabNetwork {
  constructor(
    private readonly run: CommandRunner,
    private readonly collectors: CollectorService,
  ) {}

  private ip(netns: string, ...args: string[]): Promise<string> {
    return this.run.run('ip', ['-n', netns, ...args]);
  }

  async ifindex(netns: string, name: string): Promise<number> {
    const out = JSON.parse(await this.ip(netns, '-j', 'link', 'show', 'dev', name)) as { ifindex: number }[];
    return out[0].ifindex;
  }

  private async addNamespace(netns: string): Promise<void> {
    await this.run.run('ip', ['netns', 'add', netns]);
    // No IPv6 autoconfiguration chatter (router solicitations, DAD) on the overlay.
    await this.run.runIn(netns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    await this.ip(netns, 'link', 'set', 'lo', 'up');
  }

  async build(lab: LabRecord, progress: (step: string) => void): Promise<void> {
    const { spec } = lab;
    progress('underlay switch');
    await this.addNamespace(lab.switchNetns);
    await this.ip(lab.switchNetns, 'link', 'add', 'ubr0', 'type', 'bridge');
    await this.ip(lab.switchNetns, 'link', 'set', 'ubr0', 'up');
    for (const h of lab.hosts) {
      progress(`host ${h.index}: namespace and underlay`);
      await this.addNamespace(h.netns);
      await this.run.run('ip', ['link', 'add', h.underlayIf, 'netns', h.netns, 'type', 'veth', 'peer', 'name', h.switchPort, 'netns', lab.switchNetns]);
      await this.ip(lab.switchNetns, 'link', 'set', h.switchPort, 'master', 'ubr0');
      await this.ip(lab.switchNetns, 'link', 'set', h.switchPort, 'up');
      this.collectors.watch(h.netns);
    }
    for (const h of lab.hosts) {
      await this.collectors.waitRunning(h.netns, 15_000);
      progress(`host ${h.index}: bridge and ${spec.mode} vxlan`);
      const u0 = await this.ifindex(h.netns, h.underlayIf);
      await this.collectors.request(h.netns, 'addAddress', { ifindex: u0, cidr: `${h.underlayIp}/24` });
      await this.collectors.request(h.netns, 'setLink', { ifindex: u0, up: true });
      const br = await this.collectors.request(h.netns, 'createBridge', { name: h.bridge });
      await this.collectors.request(h.netns, 'setLink', { ifindex: br, up: true });
      await this.createVxlan(lab, h, { vni: spec.vni, port: spec.port, learning: spec.learning });
      for (const ep of h.endpoints) {
        await this.addEndpoint(lab, h, ep, br);
      }
    }
  }

  /** Creates (or re-creates) the host's vxlan device in the lab's mode, enslaved and up, with its flood entries. */
  async createVxlan(lab: LabRecord, h: LabHost, o: { vni: number; port: number; learning: boolean }): Promise<number> {
    const { spec } = lab;
    const u0 = await this.ifindex(h.netns, h.underlayIf);
    const br = await this.ifindex(h.netns, h.bridge);
    const peers = lab.hosts.filter((p) => p.index !== h.index);
    const vx = await this.collectors.request(h.netns, 'createVxlan', {
      name: h.vxlan,
      vni: o.vni,
      port: o.port,
      local: h.underlayIp,
      remote: spec.mode === 'unicast' ? peers[0].underlayIp : undefined,
      group: spec.mode === 'multicast' ? spec.group : undefined,
      underlayIfindex: u0,
      learning: o.learning,
    });
    await this.collectors.request(h.netns, 'setLink', { ifindex: vx, mtu: spec.mtu, master: br });
    await this.collectors.request(h.netns, 'setLink', { ifindex: vx, up: true });
    if (spec.mode === 'static-fdb') {
      for (const p of peers) {
        await this.collectors.request(h.netns, 'addFdb', { ifindex: vx, mac: ZERO_MAC, dst: p.underlayIp, mode: 'append', permanent: true, self: true });
      }
    }
    return vx;
  }

  private async addEndpoint(lab: LabRecord, h: LabHost, ep: LabEndpoint, bridgeIfindex: number): Promise<void> {
    await this.addNamespace(ep.netns);
    await this.run.run('ip', ['link', 'add', ep.ifname, 'netns', ep.netns, 'address', ep.mac, 'type', 'veth', 'peer', 'name', ep.hostIf, 'netns', h.netns]);
    await this.ip(ep.netns, 'link', 'set', ep.ifname, 'mtu', String(lab.spec.mtu));
    await this.ip(ep.netns, 'addr', 'add', `${ep.ip}/24`, 'dev', ep.ifname);
    await this.ip(ep.netns, 'link', 'set', ep.ifname, 'up');
    const v = await this.ifindex(h.netns, ep.hostIf);
    await this.collectors.request(h.netns, 'setLink', { ifindex: v, master: bridgeIfindex, mtu: lab.spec.mtu });
    await this.collectors.request(h.netns, 'setLink', { ifindex: v, up: true });
  }

  /** Removes the lab's namespaces (see removeLabNamespaces). */
  destroy(lab: LabRecord): Promise<string[]> {
    return removeLabNamespaces(this.run, lab);
  }

  underlayMtu(): number {
    return UNDERLAY_MTU;
  }
}
