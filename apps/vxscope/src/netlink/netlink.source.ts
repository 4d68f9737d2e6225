// The only file that imports `netlink` (pinned at 0.3.0; its API is not stable).
// It talks rtnetlink in the current network namespace: the collector process is started inside the
// watched namespace, so there is no namespace handling here.
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import {
  AttrStream,
  createNetlink,
  Flags,
  FlagsGet,
  FlagsNew,
  ifla,
  MessageType,
  NetlinkMessage,
  NetlinkSocket,
  parseAttributes,
  parseError,
  Protocol,
  putU32,
  rt,
  type StreamData,
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
import { be16, isUint, parseCidr, parseIp, parseMac } from './netlink-encode';
import { NetlinkError } from './netlink-error';
import type {
  FdbAddSpec,
  FdbDeleteSpec,
  FdbEntry,
  FdbWriteMode,
  LinkSettings,
  LinkInfo,
  NeighEntry,
  NetlinkEvent,
  NetlinkEventHandler,
  VxlanInfo,
  VxlanSpec,
} from './netlink.types';
import type { RouteInfo, RouteTarget } from './route.types';

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
/** linux/if.h IFNAMSIZ, with the terminating NUL. */
const IFNAMSIZ = 16;
const MAX_VNI = 0xffffff;
const MAX_U16 = 0xffff;
const MAX_U32 = 0xffffffff;
/** linux/rtnetlink.h RT_SCOPE_HOST, which `ip addr add` gives 127.0.0.0/8. */
const RT_SCOPE_HOST = 254;
/** NLM_F_* of RTM_NEWNEIGH per `bridge fdb` verb (iproute2 bridge/fdb.c). */
const FDB_WRITE_FLAGS: Record<FdbWriteMode, number> = {
  append: FlagsNew.CREATE | FlagsNew.APPEND,
  replace: FlagsNew.CREATE | FlagsNew.REPLACE,
  add: FlagsNew.CREATE | FlagsNew.EXCL,
};

@Injectable()
export class NetlinkSource implements OnModuleDestroy {
  private readonly logger = new Logger(NetlinkSource.name);
  private readonly eventRecvBufferSize: number;
  private readonly requestTimeoutMs: number;
  private requestSocket?: NetlinkSocket;
  private eventSocket?: NetlinkSocket;
  private readonly handlers = new Set<NetlinkEventHandler>();
  /**
   * Every request on the request socket queues here. The kernel runs one dump at a time per socket,
   * and netlink 0.3.0 cannot tell a dump's parts from another request's ACK arriving in between.
   */
  private requestTail: Promise<unknown> = Promise.resolve();

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
   * `ip route get DESTINATION [oif DEV]`: one RTM_GETROUTE (not a dump), answered with the route the
   * kernel would use now. Rejects with the kernel's errno, e.g. ENETUNREACH when no route matches.
   */
  async getRoute(target: RouteTarget): Promise<RouteInfo> {
    const op = 'getRoute';
    const what = String(target.destination);
    const dst = (typeof target.destination === 'string' && parseIp(target.destination)) || invalid(op, what, 'not an IPv4 or IPv6 address');
    if (target.oif !== undefined) {
      checkIfindex(op, target.oif);
    }
    const payload = new AttrStream();
    rt.formatRouteMessage(
      {
        kind: 'route',
        data: { family: dst.length === 4 ? AF_INET : AF_INET6, dstLen: dst.length * 8 },
        attrs: { dst, ...(target.oif !== undefined && { oif: target.oif }) },
      },
      payload,
    );
    return this.enqueue(async () => {
      // With NLM_F_ACK the kernel sends the RTM_NEWROUTE reply, then an ACK that nobody waits for.
      const [reply] = await this.send(op, what, rt.MessageType.GETROUTE, payload.bufs, 0);
      if ((reply?.type as rt.MessageType | undefined) !== rt.MessageType.NEWROUTE) {
        throw new NetlinkError(op, 'EPROTO', undefined, `${op} ${what}: expected RTM_NEWROUTE, got message type ${reply?.type ?? 'none'}`);
      }
      return toRouteInfo(target.destination, rt.parseRouteMessage(reply.data));
    });
  }

  /** `ip link add NAME type bridge`; resolves with the new ifindex. */
  async createBridge(name: string): Promise<number> {
    const op = 'createBridge';
    checkIfname(op, name);
    await this.change(op, name, rt.MessageType.NEWLINK, FlagsNew.CREATE | FlagsNew.EXCL, (out) =>
      rt.formatLinkMessage(
        { kind: 'link', data: {}, attrs: { ifname: name, linkinfo: bytes(ifla.formatInfo({ kind: 'bridge' })) } },
        out,
      ),
    );
    return this.ifindexOf(op, name);
  }

  /** `ip link add NAME type vxlan id … dstport … [local] [remote|group] [dev] [ttl] [no]learning`; resolves with the new ifindex. */
  async createVxlan(name: string, spec: VxlanSpec): Promise<number> {
    const op = 'createVxlan';
    checkIfname(op, name);
    const data = vxlanData(op, name, spec);
    await this.change(op, name, rt.MessageType.NEWLINK, FlagsNew.CREATE | FlagsNew.EXCL, (out) =>
      rt.formatLinkMessage(
        {
          kind: 'link',
          data: {},
          attrs: {
            ifname: name,
            linkinfo: bytes(ifla.formatInfo({ kind: 'vxlan', data: bytes(ifla.formatVxlan(data)) })),
          },
        },
        out,
      ),
    );
    return this.ifindexOf(op, name);
  }

  /** `ip link set dev IFINDEX [up|down] [master M|nomaster] [mtu N] [address MAC]`, in one request. */
  async setLink(ifindex: number, change: LinkSettings): Promise<void> {
    const op = 'setLink';
    const what = `ifindex ${String(ifindex)}`;
    checkIfindex(op, ifindex);
    const attrs: ifla.LinkAttrs = {};
    if (change.master !== undefined) {
      if (change.master !== null && !isUint(change.master, MAX_U32)) {
        throw NetlinkError.invalid(op, what, `bad master ${String(change.master)}`);
      }
      attrs.master = change.master ?? 0; // IFLA_MASTER 0 releases the port (`nomaster`)
    }
    if (change.mtu !== undefined) {
      if (!isUint(change.mtu, MAX_U32)) {
        throw NetlinkError.invalid(op, what, `bad mtu ${String(change.mtu)}`);
      }
      attrs.mtu = change.mtu;
    }
    if (change.mac !== undefined) {
      attrs.address = parseMac(change.mac) ?? invalid(op, what, `bad MAC "${change.mac}"`);
    }
    const data: rt.Link = { index: ifindex };
    if (change.up !== undefined) {
      data.flags = change.up ? { up: true } : {};
      data.change = { up: true };
    }
    await this.change(op, what, rt.MessageType.NEWLINK, 0, (out) =>
      rt.formatLinkMessage({ kind: 'link', data, attrs }, out),
    );
  }

  /** `ip link del dev IFINDEX` */
  async deleteLink(ifindex: number): Promise<void> {
    const op = 'deleteLink';
    checkIfindex(op, ifindex);
    await this.change(op, `ifindex ${ifindex}`, rt.MessageType.DELLINK, 0, (out) =>
      rt.formatLinkMessage({ kind: 'link', data: { index: ifindex }, attrs: {} }, out),
    );
  }

  /** `ip link set dev IFINDEX type vxlan [no]learning` (vxlan changelink). */
  async changeVxlanLearning(ifindex: number, learning: boolean): Promise<void> {
    const op = 'changeVxlanLearning';
    checkIfindex(op, ifindex);
    const linkinfo = bytes(
      ifla.formatInfo({ kind: 'vxlan', data: bytes(ifla.formatVxlan({ learning: learning ? 1 : 0 })) }),
    );
    await this.change(op, `ifindex ${ifindex}`, rt.MessageType.NEWLINK, 0, (out) =>
      rt.formatLinkMessage({ kind: 'link', data: { index: ifindex }, attrs: { linkinfo } }, out),
    );
  }

  /** `ip addr add CIDR dev IFINDEX` (IPv4 or IPv6). */
  async addAddress(ifindex: number, cidr: string): Promise<void> {
    await this.writeAddress('addAddress', rt.MessageType.NEWADDR, FlagsNew.CREATE | FlagsNew.EXCL, ifindex, cidr);
  }

  /** `ip addr del CIDR dev IFINDEX` */
  async deleteAddress(ifindex: number, cidr: string): Promise<void> {
    await this.writeAddress('deleteAddress', rt.MessageType.DELADDR, 0, ifindex, cidr);
  }

  /** `bridge fdb append|replace|add MAC dev IFINDEX [dst] [vni] [port] self|master [permanent|dynamic]` */
  async addFdb(entry: FdbAddSpec): Promise<void> {
    const op = 'addFdb';
    const what = `${entry.mac} ifindex ${String(entry.ifindex)}`;
    if (!Object.hasOwn(FDB_WRITE_FLAGS, entry.mode)) {
      throw NetlinkError.invalid(op, what, `bad mode "${String(entry.mode)}"`);
    }
    const data: rt.Neighbor = {
      family: AF_BRIDGE,
      ifindex: entry.ifindex,
      state: entry.permanent ? { permanent: true, noarp: true } : { reachable: true },
      flags: entry.self ? { self: true } : { master: true },
    };
    const attrs = fdbAttrs(op, what, entry);
    await this.change(op, what, rt.MessageType.NEWNEIGH, FDB_WRITE_FLAGS[entry.mode], (out) =>
      rt.formatNeighborMessage({ kind: 'neighbor', data, attrs }, out),
    );
  }

  /** `bridge fdb del MAC dev IFINDEX [dst] [vni] [port] [self|master]` */
  async deleteFdb(entry: FdbDeleteSpec): Promise<void> {
    const op = 'deleteFdb';
    const what = `${entry.mac} ifindex ${String(entry.ifindex)}`;
    const data: rt.Neighbor = {
      family: AF_BRIDGE,
      ifindex: entry.ifindex,
      flags: entry.self === false ? { master: true } : { self: true },
    };
    const attrs = fdbAttrs(op, what, entry);
    await this.change(op, what, rt.MessageType.DELNEIGH, 0, (out) =>
      rt.formatNeighborMessage({ kind: 'neighbor', data, attrs }, out),
    );
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
    // On overflow the kernel drops notifications and flags ENOBUFS, once: it drops silently after that
    // until the queue has drained. What netlink 0.3.0 does with the flag is a race. If its read loop's
    // recvmsg() meets it, ENOBUFS arrives here. If epoll sees it first, libuv reports POLLERR, the
    // binding builds an error with a NULL syscall name, and the C++ exception aborts the process
    // (SIGABRT); the collector's supervisor treats that exit as "resync needed". Both happen under a
    // burst of 20,000 FDB changes (test/kernel-resync.e2e-spec.ts).
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

  private get socket(): NetlinkSocket {
    this.requestSocket ??= createNetlink(Protocol.ROUTE);
    return this.requestSocket;
  }

  private enqueue<T>(run: () => Promise<T>): Promise<T> {
    const result = this.requestTail.then(run, run);
    this.requestTail = result.catch(() => undefined);
    return result;
  }

  /** One change request; resolves on the kernel's ACK, rejects with its errno on a NACK. */
  private change(
    op: string,
    what: string,
    type: rt.MessageType,
    flags: number,
    format: (out: AttrStream) => void,
  ): Promise<void> {
    const payload = new AttrStream();
    format(payload);
    return this.enqueue(async () => {
      const [reply] = await this.send(op, what, type, payload.bufs, flags);
      if ((reply?.type as MessageType | undefined) !== MessageType.ERROR) {
        throw new NetlinkError(
          op,
          'EPROTO',
          undefined,
          `${op} ${what}: expected an ACK, got message type ${reply?.type ?? 'none'}`,
        );
      }
    });
  }

  /** RTM_GETLINK by IFLA_IFNAME. */
  private ifindexOf(op: string, name: string): Promise<number> {
    const payload = new AttrStream();
    rt.formatLinkMessage(
      { kind: 'link', data: {}, attrs: { ifname: name, extMask: putU32(RTEXT_FILTER_SKIP_STATS) } },
      payload,
    );
    return this.enqueue(async () => {
      const [reply] = await this.send(op, name, rt.MessageType.GETLINK, payload.bufs, 0);
      const index =
        (reply?.type as rt.MessageType | undefined) === rt.MessageType.NEWLINK
          ? rt.parseLinkMessage(reply.data).data.index
          : undefined;
      if (index === undefined) {
        throw new NetlinkError(op, 'EPROTO', undefined, `${op} ${name}: created, but RTM_GETLINK gave no ifindex`);
      }
      return index;
    });
  }

  /**
   * Sends one request (the package adds NLM_F_REQUEST|NLM_F_ACK) and returns the replies. The
   * package's own error check throws a bare "Request rejected: EEXIST", so NLMSG_ERROR is read here.
   */
  private async send(
    op: string,
    what: string,
    type: rt.MessageType,
    payload: Uint8Array[],
    flags: number,
  ): Promise<NetlinkMessage[]> {
    let messages: NetlinkMessage[];
    try {
      [messages] = await this.socket.request(type, payload, {
        flags,
        timeout: this.requestTimeoutMs,
        checkError: false,
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const errno = (error as { errno?: unknown }).errno;
      if (typeof code === 'string') {
        throw new NetlinkError(
          op,
          code,
          typeof errno === 'number' ? Math.abs(errno) : undefined,
          `${op} ${what}: ${describe(error)}`,
        );
      }
      // The package rejects a request that timed out with a bare Error of this text.
      if (describe(error) === 'Timeout has been reached') {
        throw new NetlinkError(
          op,
          'ETIMEDOUT',
          undefined,
          `${op} ${what}: no answer from the kernel within ${this.requestTimeoutMs} ms`,
        );
      }
      throw new NetlinkError(op, 'EIO', undefined, `${op} ${what}: ${describe(error)}`);
    }
    const first = messages[0];
    if ((first?.type as MessageType | undefined) === MessageType.ERROR) {
      const { errno } = parseError(first.data, first.flags);
      if (errno !== 0) {
        throw NetlinkError.fromErrno(op, what, errno);
      }
    }
    return messages;
  }

  private async writeAddress(
    op: string,
    type: rt.MessageType,
    flags: number,
    ifindex: number,
    cidr: string,
  ): Promise<void> {
    const what = `${cidr} ifindex ${String(ifindex)}`;
    checkIfindex(op, ifindex);
    const parsed =
      (typeof cidr === 'string' && parseCidr(cidr)) || invalid(op, what, 'not an IPv4 or IPv6 address[/prefix]');
    const { address, prefixLength } = parsed;
    const family = address.length === 4 ? AF_INET : AF_INET6;
    const scope = family === AF_INET && address[0] === 127 ? RT_SCOPE_HOST : 0;
    // As `ip addr add` without `peer`: IFA_LOCAL and IFA_ADDRESS both carry the address.
    await this.change(op, what, type, flags, (out) =>
      rt.formatAddressMessage(
        {
          kind: 'address',
          data: { family, prefixlen: prefixLength, scope, index: ifindex },
          attrs: { local: address, address },
        },
        out,
      ),
    );
  }

  private dump(type: rt.MessageType, payload: Uint8Array[]): Promise<NetlinkMessage[]> {
    return this.enqueue(async () => {
      const socket = this.socket;
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
    });
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

/** Serializes the package's attribute formatters (nested attributes are passed as bytes). */
function bytes(data: StreamData): Buffer {
  const out = new AttrStream();
  out.emit(data);
  return Buffer.concat(out.bufs);
}

function invalid(op: string, what: string, reason: string): never {
  throw NetlinkError.invalid(op, what, reason);
}

function checkIfname(op: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) >= IFNAMSIZ) {
    invalid(op, String(name), `a device name is 1 to ${IFNAMSIZ - 1} bytes`);
  }
}

function checkIfindex(op: string, ifindex: number): void {
  if (!isUint(ifindex, MAX_U32) || ifindex === 0) {
    invalid(op, `ifindex ${String(ifindex)}`, 'bad ifindex');
  }
}

/** IFLA_INFO_DATA of a new vxlan device; IPv4 and IPv6 addresses go to different attributes. */
function vxlanData(op: string, name: string, spec: VxlanSpec): ifla.Vxlan {
  if (!isUint(spec.vni, MAX_VNI)) {
    invalid(op, name, `bad vni ${String(spec.vni)}`);
  }
  if (!isUint(spec.port, MAX_U16)) {
    invalid(op, name, `bad port ${String(spec.port)}`);
  }
  if (spec.remote !== undefined && spec.group !== undefined) {
    invalid(op, name, 'remote and group exclude each other');
  }
  const data: ifla.Vxlan = { id: spec.vni, port: be16(spec.port), learning: spec.learning ? 1 : 0 };
  const ip = (field: string, text: string): Buffer =>
    (typeof text === 'string' && parseIp(text)) || invalid(op, name, `bad ${field} address "${String(text)}"`);
  let family: number | undefined;
  if (spec.local !== undefined) {
    const local = ip('local', spec.local);
    family = local.length;
    if (local.length === 4) {
      data.local = local;
    } else {
      data.local6 = local;
    }
  }
  const peerText = spec.remote ?? spec.group;
  if (peerText !== undefined) {
    const peer = ip(spec.remote !== undefined ? 'remote' : 'group', peerText);
    if (isMulticastIp(peer) !== (spec.group !== undefined)) {
      invalid(
        op,
        name,
        spec.group !== undefined ? `group ${peerText} is not multicast` : `remote ${peerText} is multicast: use group`,
      );
    }
    if (family !== undefined && family !== peer.length) {
      invalid(op, name, 'local and remote/group are of different address families');
    }
    if (peer.length === 4) {
      data.group = peer;
    } else {
      data.group6 = peer;
    }
  }
  if (spec.underlayIfindex !== undefined) {
    if (!isUint(spec.underlayIfindex, MAX_U32)) {
      invalid(op, name, `bad underlay ifindex ${String(spec.underlayIfindex)}`);
    }
    data.link = spec.underlayIfindex;
  }
  if (spec.ttl !== undefined) {
    if (!isUint(spec.ttl, 255)) {
      invalid(op, name, `bad ttl ${String(spec.ttl)}`);
    }
    data.ttl = spec.ttl;
  }
  return data;
}

/** NDA_LLADDR, NDA_DST, NDA_VNI (host-order u32), NDA_PORT (big-endian u16). */
function fdbAttrs(op: string, what: string, entry: FdbDeleteSpec): rt.NeighborAttrs {
  checkIfindex(op, entry.ifindex);
  const attrs: rt.NeighborAttrs = {
    lladdr:
      (typeof entry.mac === 'string' && parseMac(entry.mac)) || invalid(op, what, `bad MAC "${String(entry.mac)}"`),
  };
  if (entry.dst !== undefined) {
    attrs.dst =
      (typeof entry.dst === 'string' && parseIp(entry.dst)) || invalid(op, what, `bad dst "${String(entry.dst)}"`);
  }
  if (entry.vni !== undefined) {
    attrs.vni = isUint(entry.vni, MAX_VNI) ? putU32(entry.vni) : invalid(op, what, `bad vni ${String(entry.vni)}`);
  }
  if (entry.port !== undefined) {
    attrs.port = isUint(entry.port, MAX_U16) ? be16(entry.port) : invalid(op, what, `bad port ${String(entry.port)}`);
  }
  return attrs;
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

function toRouteInfo(destination: string, { data, attrs }: rt.RouteMessage): RouteInfo {
  const type = typeof data.type === 'number' ? (rt.RouteType[data.type] ?? String(data.type)) : (data.type ?? 'UNSPEC');
  const gateway = attrs.gateway ? formatIp(attrs.gateway) : undefined;
  const prefsrc = attrs.prefsrc ? formatIp(attrs.prefsrc) : undefined;
  return {
    destination,
    family: data.family === AF_INET6 ? 6 : 4,
    type: type.toLowerCase(),
    ...(attrs.oif !== undefined && { ifindex: attrs.oif }),
    ...(gateway !== undefined && { gateway }),
    ...(prefsrc !== undefined && { prefsrc }),
    ...((attrs.table ?? data.table) !== undefined && { table: attrs.table ?? data.table }),
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
