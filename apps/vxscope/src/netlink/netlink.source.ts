// The only file that imports `netlink` (pinned at 0.3.0; its API is not stable).
// It talks rtnetlink in the current network namespace: the collector process is started inside the
// watched namespace, so there is no namespace handling here.
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import {
  AttrStream,
  createNetlink,
  Flags,
  FlagsGet,
  ifla,
  NetlinkMessage,
  NetlinkSocket,
  parseAttributes,
  Protocol,
  putU32,
  rt,
} from 'netlink';

import {
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  formatIp,
  formatMac,
  isMulticastIp,
  isStaticState,
  isUnspecifiedIp,
  NDA_FLAGS_EXT,
  NDA_NH_ID,
  neighFlagNames,
  neighStateNames,
  operStateName,
  readBe16,
  readPortRange,
  readU32,
  readU8,
} from './netlink-decode';
import type { FdbEntry, LinkInfo, NeighEntry, NetlinkEvent, NetlinkEventHandler, VxlanInfo } from './netlink.types';

export const NETLINK_SOURCE_OPTIONS = Symbol('NETLINK_SOURCE_OPTIONS');

export interface NetlinkSourceOptions {
  /**
   * SO_RCVBUF of the notification socket, capped by net.core.rmem_max. Default 4 MiB.
   * netlink 0.3.0 cannot survive an overflow (ENOBUFS aborts the process, see openEventSocket),
   * so this buffer is the only protection against bursts while the event loop is busy.
   */
  readonly eventRecvBufferSize?: number;
  /** Give up on a dump after this long. Default 10 s. */
  readonly requestTimeoutMs?: number;
}

const AF_UNSPEC = 0;
/** linux/if_link.h RTEXT_FILTER_SKIP_STATS: leave the counters out of link dumps. */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;
/** A dump that raced a change comes back flagged NLM_F_DUMP_INTR; repeat it up to this many times. */
const MAX_DUMP_ATTEMPTS = 3;
/** NDA_CACHEINFO times are in USER_HZ, which is 100 on every Linux ABI. */
const USER_HZ = 100;

@Injectable()
export class NetlinkSource implements OnModuleDestroy {
  private readonly logger = new Logger(NetlinkSource.name);
  private readonly eventRecvBufferSize: number;
  private readonly requestTimeoutMs: number;
  private requestSocket?: NetlinkSocket;
  private eventSocket?: NetlinkSocket;
  private readonly handlers = new Set<NetlinkEventHandler>();
  /** The kernel runs one dump at a time per socket, so dumps queue here. */
  private dumpTail: Promise<unknown> = Promise.resolve();

  constructor(@Optional() @Inject(NETLINK_SOURCE_OPTIONS) options?: NetlinkSourceOptions) {
    this.eventRecvBufferSize = options?.eventRecvBufferSize ?? 4 << 20;
    this.requestTimeoutMs = options?.requestTimeoutMs ?? 10_000;
  }

  /** Every link in the namespace (RTM_GETLINK dump, AF_UNSPEC). */
  async dumpLinks(): Promise<LinkInfo[]> {
    const request = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: {}, attrs: { extMask: putU32(RTEXT_FILTER_SKIP_STATS) } }, request);
    const messages = await this.dump(rt.MessageType.GETLINK, request.bufs);
    return this.decodeAll(messages, (m) => toLinkInfo(rt.parseLinkMessage(m.data)));
  }

  /** The bridge FDB (RTM_GETNEIGH dump, AF_BRIDGE): the same entries as `bridge fdb show`. */
  async dumpFdb(): Promise<FdbEntry[]> {
    const messages = await this.dump(rt.MessageType.GETNEIGH, neighRequest(AF_BRIDGE));
    return this.decodeAll(messages, (m) => toFdbEntry(rt.parseNeighborMessage(m.data), m.data));
  }

  /** IPv4 ARP and IPv6 ND neighbours (`ip neigh show`). */
  async dumpNeighbours(): Promise<NeighEntry[]> {
    const messages = await this.dump(rt.MessageType.GETNEIGH, neighRequest(AF_UNSPEC));
    return this.decodeAll(messages, (m) => toNeighEntry(rt.parseNeighborMessage(m.data), m.data));
  }

  /**
   * Delivers link and neighbour notifications until the returned function (or close()) is called.
   * Subscribe before dumping, so nothing falls between the dump and the first event.
   */
  subscribe(handler: NetlinkEventHandler): () => void {
    this.handlers.add(handler);
    this.eventSocket ??= this.openEventSocket();
    return () => {
      this.handlers.delete(handler);
      if (this.handlers.size === 0) {
        this.closeEventSocket();
      }
    };
  }

  close(): void {
    this.handlers.clear();
    this.closeEventSocket();
    this.requestSocket?.close();
    this.requestSocket = undefined;
  }

  onModuleDestroy(): void {
    this.close();
  }

  private openEventSocket(): NetlinkSocket {
    // ref: keep the process alive while subscribed. The typings make both buffer sizes required;
    // a falsy sendBufferSize leaves SO_SNDBUF alone.
    const socket = createNetlink(Protocol.ROUTE, {
      ref: true,
      recvBufferSize: this.eventRecvBufferSize,
      sendBufferSize: 0,
    });
    try {
      socket.addMembership(rt.MulticastGroups.LINK);
      socket.addMembership(rt.MulticastGroups.NEIGH);
    } catch (error) {
      socket.close();
      throw error;
    }
    // The kernel reports the doubled value; less than asked means net.core.rmem_max capped it.
    const effective = socket.getRecvBufferSize() / 2;
    if (effective < this.eventRecvBufferSize) {
      this.logger.warn(
        `rtnetlink notification buffer is ${effective} bytes, not ${this.eventRecvBufferSize}: raise net.core.rmem_max`,
      );
    }
    socket.on('message', (messages) => this.onNotifications(messages));
    // On overflow the kernel drops notifications and flags ENOBUFS. netlink 0.3.0 does not deliver
    // that here: libuv sees POLLERR, the binding builds an error with a NULL syscall name, and the
    // C++ exception aborts the process (SIGABRT). The collector's supervisor must treat that exit as
    // "resync needed". This handler covers the errors the package does deliver (and fixed versions).
    socket.on('error', (error) => {
      if (error.code !== 'ENOBUFS') {
        this.logger.error(`rtnetlink notification socket: ${error.message}`);
      }
      this.emit({ type: 'resync-needed', reason: error.code ?? 'socket-error' });
    });
    socket.on('truncatedMessage', () => this.emit({ type: 'resync-needed', reason: 'truncated-message' }));
    socket.on('invalid', (error: unknown) => {
      this.logger.warn(`rtnetlink notification dropped: ${describe(error)}`);
      this.emit({ type: 'resync-needed', reason: 'invalid-message' });
    });
    return socket;
  }

  private closeEventSocket(): void {
    this.eventSocket?.close();
    this.eventSocket = undefined;
  }

  private onNotifications(messages: NetlinkMessage[]): void {
    for (const message of messages) {
      let event: NetlinkEvent | undefined;
      try {
        event = toEvent(message);
      } catch (error) {
        this.logger.warn(`undecodable rtnetlink message type ${message.type}: ${describe(error)}`);
        event = { type: 'resync-needed', reason: 'decode-error' };
      }
      if (event) {
        this.emit(event);
      }
    }
  }

  private emit(event: NetlinkEvent): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(event);
      } catch (error) {
        this.logger.error(`netlink event handler failed on ${event.type}: ${describe(error)}`);
      }
    }
  }

  private dump(type: rt.MessageType, payload: Uint8Array[]): Promise<NetlinkMessage[]> {
    const run = async (): Promise<NetlinkMessage[]> => {
      this.requestSocket ??= createNetlink(Protocol.ROUTE);
      const socket = this.requestSocket;
      for (let attempt = 1; ; attempt++) {
        const [messages] = await socket.request(type, payload, {
          flags: FlagsGet.DUMP,
          timeout: this.requestTimeoutMs,
        });
        if (!messages.some((m) => (m.flags & Flags.DUMP_INTR) !== 0)) {
          return messages;
        }
        if (attempt >= MAX_DUMP_ATTEMPTS) {
          this.logger.warn(`rtnetlink dump ${rt.MessageType[type]} still inconsistent after ${attempt} attempts`);
          return messages;
        }
      }
    };
    const result = this.dumpTail.then(run, run);
    this.dumpTail = result.catch(() => undefined);
    return result;
  }

  /** Decodes each message on its own, so one the package cannot parse costs one entry, not the dump. */
  private decodeAll<T>(messages: NetlinkMessage[], decode: (m: NetlinkMessage) => T | undefined): T[] {
    const out: T[] = [];
    for (const message of messages) {
      try {
        const value = decode(message);
        if (value !== undefined) {
          out.push(value);
        }
      } catch (error) {
        this.logger.warn(`skipped undecodable rtnetlink message type ${message.type}: ${describe(error)}`);
      }
    }
    return out;
  }
}

function neighRequest(family: number): Uint8Array[] {
  const request = new AttrStream();
  rt.formatNeighborMessage({ kind: 'neighbor', data: { family }, attrs: {} }, request);
  return request.bufs;
}

function toEvent(message: NetlinkMessage): NetlinkEvent | undefined {
  const type = message.type as rt.MessageType;
  if (type === rt.MessageType.NEWLINK || type === rt.MessageType.DELLINK) {
    const link = rt.parseLinkMessage(message.data);
    // The bridge also sends AF_BRIDGE NEWLINK/DELLINK about its ports (DELLINK on `nomaster`):
    // those are port-state updates, not devices appearing or disappearing.
    const info = link.data.family === AF_UNSPEC ? toLinkInfo(link) : undefined;
    if (!info) {
      return undefined;
    }
    return type === rt.MessageType.NEWLINK
      ? { type: 'link.changed', link: info }
      : { type: 'link.removed', ifindex: info.ifindex, name: info.name };
  }
  if (type === rt.MessageType.NEWNEIGH || type === rt.MessageType.DELNEIGH) {
    const added = type === rt.MessageType.NEWNEIGH;
    const neighbour = rt.parseNeighborMessage(message.data);
    if (neighbour.data.family === AF_BRIDGE) {
      const entry = toFdbEntry(neighbour, message.data);
      return entry && { type: added ? 'fdb.added' : 'fdb.removed', entry };
    }
    const entry = toNeighEntry(neighbour, message.data);
    return entry && { type: added ? 'neigh.added' : 'neigh.removed', entry };
  }
  return undefined;
}

function toLinkInfo({ data, attrs }: rt.LinkMessage): LinkInfo | undefined {
  if (data.index === undefined || attrs.ifname === undefined) {
    return undefined;
  }
  const info = attrs.linkinfo ? ifla.parseInfo(attrs.linkinfo) : undefined;
  const vxlan = info?.kind === 'vxlan' && info.data ? toVxlanInfo(ifla.parseVxlan(info.data)) : undefined;
  const linkIfindex = attrs.link ? readU32(attrs.link) : undefined;
  return {
    ifindex: data.index,
    name: attrs.ifname,
    ...(info?.kind !== undefined && { kind: info.kind }),
    ...(info?.slaveKind !== undefined && { slaveKind: info.slaveKind }),
    ...(attrs.mtu !== undefined && { mtu: attrs.mtu }),
    adminUp: data.flags?.up === true,
    lowerUp: data.flags?.lowerUp === true,
    operstate: operStateName(attrs.operstate),
    ...(attrs.carrier !== undefined && { carrier: attrs.carrier !== 0 }),
    ...(attrs.carrierChanges !== undefined && { carrierChanges: attrs.carrierChanges }),
    ...(attrs.master !== undefined && { master: attrs.master }),
    ...(attrs.address !== undefined && { mac: formatMac(attrs.address) }),
    ...(linkIfindex !== undefined && { linkIfindex }),
    ...(attrs.linkNetnsid !== undefined && { linkNetnsid: attrs.linkNetnsid }),
    ...(vxlan && { vxlan }),
  };
}

function toVxlanInfo(vx: ifla.Vxlan): VxlanInfo {
  const local = vx.local ?? vx.local6;
  const peer = vx.group ?? vx.group6;
  const peerIp = peer && !isUnspecifiedIp(peer) ? formatIp(peer) : undefined;
  // IFLA_VXLAN_GROUP carries either the multicast group or the unicast default remote.
  const peerFields = peer && peerIp !== undefined ? (isMulticastIp(peer) ? { group: peerIp } : { remote: peerIp }) : {};
  const ports = vx.portRange ? readPortRange(vx.portRange) : undefined;
  const ttlInherit = vx.ttlInherit ? readU8(vx.ttlInherit) : undefined;
  const localIp = local && !isUnspecifiedIp(local) ? formatIp(local) : undefined;
  return {
    vni: vx.id ?? 0,
    ...(localIp !== undefined && { local: localIp }),
    ...peerFields,
    dstport: (vx.port && readBe16(vx.port)) ?? 0,
    ...(vx.link !== undefined && vx.link !== 0 && { underlayIfindex: vx.link }),
    learning: vx.learning !== undefined && vx.learning !== 0,
    ...(vx.ageing !== undefined && { ageing: vx.ageing }),
    ...(vx.ttl !== undefined && { ttl: vx.ttl }),
    ...(ttlInherit !== undefined && { ttlInherit: ttlInherit !== 0 }),
    ...(vx.tos !== undefined && { tos: vx.tos }),
    srcPortMin: ports?.min ?? 0,
    srcPortMax: ports?.max ?? 0,
    ...(vx.limit !== undefined && { limit: vx.limit }),
    proxy: !!vx.proxy,
    rsc: !!vx.rsc,
    l2miss: !!vx.l2miss,
    l3miss: !!vx.l3miss,
    external: !!vx.collectMetadata,
    ...(vx.udpCsum !== undefined && { udpCsum: vx.udpCsum !== 0 }),
  };
}

/** Flags and state the package parsed into objects, back to the kernel bit masks. */
function neighBits(data: rt.Neighbor): { flags: number; state: number } {
  return {
    flags: data.flags ? rt.formatNeighborFlags(data.flags) : 0,
    state: data.state ? rt.formatNeighborState(data.state) : 0,
  };
}

/** NDA_NH_ID and NDA_FLAGS_EXT: attributes netlink 0.3.0 does not know and silently drops. */
function extraNeighAttrs(raw: Buffer): { nhid?: number; extFlags: number } {
  const out: { nhid?: number; extFlags: number } = { extFlags: 0 };
  parseAttributes(raw.subarray(rt.__LENGTH_Neighbor), (attr) => {
    if (attr.type === NDA_NH_ID) {
      out.nhid = readU32(attr.data);
    } else if (attr.type === NDA_FLAGS_EXT) {
      out.extFlags = readU32(attr.data) ?? 0;
    }
  });
  return out;
}

function toFdbEntry({ data, attrs }: rt.NeighborMessage, raw: Buffer): FdbEntry | undefined {
  if (data.family !== AF_BRIDGE || data.ifindex === undefined || !attrs.lladdr) {
    return undefined;
  }
  const { flags, state } = neighBits(data);
  const { nhid, extFlags } = extraNeighAttrs(raw);
  const dst = attrs.dst ? formatIp(attrs.dst) : undefined;
  const vni = attrs.vni ? readU32(attrs.vni) : undefined;
  const srcVni = attrs.srcVni ? readU32(attrs.srcVni) : undefined;
  const port = attrs.port ? readBe16(attrs.port) : undefined;
  const viaIfindex = attrs.ifindex ? readU32(attrs.ifindex) : undefined;
  const cache = attrs.cacheInfo;
  return {
    mac: formatMac(attrs.lladdr),
    ifindex: data.ifindex,
    ...(attrs.master !== undefined && { master: attrs.master }),
    ...(attrs.vlan !== undefined && { vlan: attrs.vlan }),
    ...(dst !== undefined && { dst }),
    ...(vni !== undefined && { vni }),
    ...(srcVni !== undefined && { srcVni }),
    ...(port !== undefined && { port }),
    ...(viaIfindex !== undefined && { viaIfindex }),
    ...(nhid !== undefined && { nhid }),
    flags: neighFlagNames(flags, extFlags),
    state: neighStateNames(state),
    isStatic: isStaticState(state),
    ...(cache?.updated !== undefined && { updatedSecAgo: cache.updated / USER_HZ }),
    ...(cache?.used !== undefined && { usedSecAgo: cache.used / USER_HZ }),
  };
}

function toNeighEntry({ data, attrs }: rt.NeighborMessage, raw: Buffer): NeighEntry | undefined {
  const family = data.family === AF_INET ? 4 : data.family === AF_INET6 ? 6 : undefined;
  const ip = attrs.dst ? formatIp(attrs.dst) : undefined;
  if (family === undefined || ip === undefined || data.ifindex === undefined) {
    return undefined;
  }
  const { flags, state } = neighBits(data);
  const { extFlags } = extraNeighAttrs(raw);
  return {
    family,
    ip,
    ifindex: data.ifindex,
    ...(attrs.lladdr !== undefined && { mac: formatMac(attrs.lladdr) }),
    flags: neighFlagNames(flags, extFlags),
    state: neighStateNames(state),
    isStatic: isStaticState(state),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
