import { NetlinkError } from '../../netlink/netlink-error';
import type { FaultType } from '../lab.dto';
import type { Fault, FaultContext, FaultState } from './fault';
import { recreateVxlan } from './vxlan-recreate';

const ZERO_MAC = '00:00:00:00:00:00';
const FAULT_TABLE = 'vxscope_fault';

const vxlanOf = (ctx: FaultContext): Promise<number> => ctx.net.ifindex(ctx.host.netns, ctx.host.vxlan);
const peerHost = (ctx: FaultContext): FaultContext['host'] => ctx.lab.hosts[(ctx.host.index + 1) % ctx.lab.hosts.length];

/** The default (flood) destinations the host's vxlan device has in the lab's mode. */
function floodDestinations(ctx: FaultContext): string[] {
  const { lab, host } = ctx;
  const peers = lab.hosts.filter((p) => p.index !== host.index).map((p) => p.underlayIp);
  switch (lab.spec.mode) {
    case 'unicast':
      return [peers[0]];
    case 'multicast':
      return [lab.spec.group ?? ''];
    case 'static-fdb':
      return peers;
  }
}

/** Deletes what the lab's bridges and vxlan devices learned about `mac`, so they learn it afresh. */
async function forgetLearned(ctx: FaultContext, mac: string): Promise<void> {
  for (const h of ctx.lab.hosts) {
    const ports = [h.vxlan, ...h.endpoints.map((e) => e.hostIf)];
    const deletes = [
      { ifindex: await ctx.net.ifindex(h.netns, h.vxlan), mac, self: true },
      ...(await Promise.all(ports.map(async (p) => ({ ifindex: await ctx.net.ifindex(h.netns, p), mac, self: false })))),
    ];
    for (const d of deletes) {
      await ctx.collectors.request(h.netns, 'deleteFdb', d).catch((err: unknown) => {
        // ENOENT where nothing was learned: that is the state wanted.
        if (!(err instanceof NetlinkError && err.code === 'ENOENT')) {
          throw err;
        }
      });
    }
  }
}

/** Every fault type, each with its exact revert. */
export const FAULTS: Readonly<Record<FaultType, Fault>> = {
  'vni-mismatch': {
    effect: 'no traffic between this host and the others (receivers drop VXLAN_VNI_NOT_FOUND)',
    async apply(ctx) {
      const { spec } = ctx.lab;
      await recreateVxlan(ctx, { vni: (spec.vni + 1) % 16777216, port: spec.port, learning: spec.learning });
      return { vni: spec.vni };
    },
    async revert(ctx, state) {
      await recreateVxlan(ctx, { vni: Number(state.vni), port: ctx.lab.spec.port, learning: ctx.lab.spec.learning });
    },
  },
  'port-mismatch': {
    effect: 'no traffic between this host and the others (VXLAN sent to a port nobody listens on)',
    async apply(ctx) {
      const { spec } = ctx.lab;
      await recreateVxlan(ctx, { vni: spec.vni, port: spec.port === 8472 ? 4789 : 8472, learning: spec.learning });
      return { port: spec.port };
    },
    async revert(ctx, state) {
      await recreateVxlan(ctx, { vni: ctx.lab.spec.vni, port: Number(state.port), learning: ctx.lab.spec.learning });
    },
  },
  'drop-flood-entry': {
    effect: 'this host cannot flood (ARP) to its peers: new conversations from it fail',
    async apply(ctx) {
      // Without dst: the whole all-zeros entry goes, every remote in it. A delete that names a dst
      // must also match the remote's ifindex, and the unicast remote and multicast group defaults
      // are tied to the underlay device ("via u0"): naming only the dst, the kernel deletes nothing
      // and still answers success.
      await ctx.collectors.request(ctx.host.netns, 'deleteFdb', { ifindex: await vxlanOf(ctx), mac: ZERO_MAC });
      return { dsts: floodDestinations(ctx).join(',') };
    },
    async revert(ctx, state) {
      const { spec } = ctx.lab;
      if (spec.mode !== 'static-fdb') {
        // The unicast remote and the multicast group are the device's own default entry ("via u0"),
        // which an FDB add cannot recreate: only a new device has it as the lab built it.
        await recreateVxlan(ctx, { vni: spec.vni, port: spec.port, learning: spec.learning });
        return;
      }
      const vx = await vxlanOf(ctx);
      for (const dst of String(state.dsts).split(',')) {
        await ctx.collectors.request(ctx.host.netns, 'addFdb', { ifindex: vx, mac: ZERO_MAC, dst, mode: 'append', permanent: true, self: true });
      }
    },
  },
  'stale-fdb': {
    // The kernel never moves a static entry: with learning on it drops the victim's frames that
    // arrive from its real VTEP (ARP replies included), so the two cannot talk either way.
    effect: "frames from this host to the next host's first endpoint go to a VTEP that does not exist, and that endpoint's frames arriving from its real VTEP are dropped: the two cannot talk either way",
    async apply(ctx) {
      const vx = await vxlanOf(ctx);
      const victim = peerHost(ctx).endpoints[0];
      const bogus = ctx.lab.underlaySubnet.replace(/\.0\/24$/, '.250');
      await ctx.collectors.request(ctx.host.netns, 'addFdb', { ifindex: vx, mac: victim.mac, dst: bogus, mode: 'replace', permanent: true, self: true });
      return { mac: victim.mac, dst: bogus };
    },
    async revert(ctx, state) {
      const vx = await vxlanOf(ctx);
      await ctx.collectors.request(ctx.host.netns, 'deleteFdb', { ifindex: vx, mac: String(state.mac), dst: String(state.dst) });
    },
  },
  'link-down': {
    effect: 'this host is cut off from the overlay',
    async apply(ctx) {
      await ctx.collectors.request(ctx.host.netns, 'setLink', { ifindex: await vxlanOf(ctx), up: false });
      return {};
    },
    async revert(ctx) {
      await ctx.collectors.request(ctx.host.netns, 'setLink', { ifindex: await vxlanOf(ctx), up: true });
    },
  },
  'detach-from-bridge': {
    effect: "this host's endpoints reach only each other",
    async apply(ctx) {
      await ctx.collectors.request(ctx.host.netns, 'setLink', { ifindex: await vxlanOf(ctx), master: null });
      return {};
    },
    async revert(ctx) {
      const br = await ctx.net.ifindex(ctx.host.netns, ctx.host.bridge);
      await ctx.collectors.request(ctx.host.netns, 'setLink', { ifindex: await vxlanOf(ctx), master: br });
    },
  },
  mtu: {
    effect: 'small pings pass, full-size frames to and from this host are dropped on the underlay (an MTU black hole)',
    async apply(ctx) {
      // The switch port towards this host gets an MTU below outer-frame size: the underlay bridge
      // drops what does not fit, as a misconfigured fabric link would.
      const lower = ctx.lab.spec.mtu + 50 - 100;
      await ctx.run.run('ip', ['-n', ctx.lab.switchNetns, 'link', 'set', ctx.host.switchPort, 'mtu', String(lower)]);
      return { mtu: ctx.net.underlayMtu() };
    },
    async revert(ctx, state) {
      await ctx.run.run('ip', ['-n', ctx.lab.switchNetns, 'link', 'set', ctx.host.switchPort, 'mtu', String(state.mtu)]);
    },
  },
  'underlay-drop': {
    effect: 'every VXLAN packet arriving at this host is dropped (nftables)',
    async apply(ctx) {
      const rules = `table inet ${FAULT_TABLE} {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    udp dport ${ctx.lab.spec.port} drop\n  }\n}\n`;
      await ctx.run.runWithInput('ip', ['netns', 'exec', ctx.host.netns, 'nft', '-f', '-'], rules);
      return { table: FAULT_TABLE };
    },
    async revert(ctx, state) {
      await ctx.run.runIn(ctx.host.netns, 'nft', ['delete', 'table', 'inet', String(state.table)]);
    },
  },
  'mac-flap': {
    effect: "the next host's first endpoint takes this host's first endpoint's MAC; both broadcast, so FDBs flap between the two VTEPs",
    async apply(ctx) {
      const a = ctx.host.endpoints[0];
      const b = peerHost(ctx).endpoints[0];
      const original = JSON.parse(await ctx.run.run('ip', ['-n', b.netns, '-j', 'link', 'show', 'dev', b.ifname])) as { address: string }[];
      await ctx.run.run('ip', ['-n', b.netns, 'link', 'set', b.ifname, 'address', a.mac]);
      // Both ask for an address nobody has: ARP broadcasts from one MAC behind two VTEPs.
      const nobody = ctx.lab.overlaySubnet.replace(/\.0\/24$/, '.254');
      ctx.processes.set(ctx.faultId, [
        ctx.run.startIn(a.netns, 'ping', ['-q', '-i', '0.5', nobody]),
        ctx.run.startIn(b.netns, 'ping', ['-q', '-i', '0.5', nobody]),
      ]);
      return { endpoint: b.netns, mac: original[0].address };
    },
    async revert(ctx, state) {
      for (const p of ctx.processes.get(ctx.faultId) ?? []) {
        p.kill('SIGKILL');
      }
      ctx.processes.delete(ctx.faultId);
      const a = ctx.host.endpoints[0];
      const b = peerHost(ctx).endpoints[0];
      await ctx.run.run('ip', ['-n', String(state.endpoint), 'link', 'set', b.ifname, 'address', String(state.mac)]);
      // The flap taught every bridge and vxlan device that the shared MAC sits behind the other
      // host too, and b's ARP broadcasts (sender b's IP, sender MAC a's) rewrote every neighbour
      // entry of b's IP to a's MAC. Left alone, the first frames after the revert go astray.
      await forgetLearned(ctx, a.mac);
      for (const h of ctx.lab.hosts) {
        for (const e of h.endpoints) {
          if (e !== b) {
            await ctx.run.run('ip', ['-n', e.netns, 'neigh', 'flush', 'to', b.ip]);
          }
        }
      }
    },
  },
  'learning-off': {
    effect: 'traffic still flows (flooded), but this host learns no new remote MACs',
    async apply(ctx) {
      // Like `ip link set vxlan0 type vxlan nolearning`: a changelink, the device and its FDB stay.
      await ctx.collectors.request(ctx.host.netns, 'changeVxlanLearning', { ifindex: await vxlanOf(ctx), learning: false });
      return { learning: ctx.lab.spec.learning };
    },
    async revert(ctx, state) {
      await ctx.collectors.request(ctx.host.netns, 'changeVxlanLearning', { ifindex: await vxlanOf(ctx), learning: Boolean(state.learning) });
    },
  },
};

export type { FaultState };
