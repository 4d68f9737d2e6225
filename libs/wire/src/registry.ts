// Next-layer dispatch tables (gopacket `layers/enums.go` style): decoders name the key of the next
// layer, these tables name the decoder. Nothing here is mutable at module level; the configurable
// part, UDP ports, lives in a `PortRegistry` instance passed to the decode functions.
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_QINQ,
  ETHERTYPE_TEB,
  ETHERTYPE_VLAN,
  LINKTYPE_ETHERNET,
} from './ethernet';
import { GENEVE_PORT } from './geneve';
import { GRE_PROTOCOL_ERSPAN, GRE_PROTOCOL_ERSPAN_III } from './gre';
import {
  IP_PROTOCOL_GRE,
  IP_PROTOCOL_ICMP,
  IP_PROTOCOL_ICMPV6,
  IP_PROTOCOL_IPIP,
  IP_PROTOCOL_IPV6,
  IP_PROTOCOL_TCP,
  IP_PROTOCOL_UDP,
} from './ipv4';
import type { LayerType, NextHint } from './layer';
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from './sll';
import { VXLAN_LINUX_LEGACY_PORT, VXLAN_PORT } from './vxlan';
import { VXLAN_GPE_NEXT_ETHERNET, VXLAN_GPE_NEXT_IPV4, VXLAN_GPE_NEXT_IPV6, VXLAN_GPE_PORT } from './vxlan-gpe';

/** Tunnel layers that can be bound to a UDP port. */
export type UdpPortLayer = 'vxlan' | 'vxlan-gpe' | 'geneve';

/** pcap link type → first layer. */
export const LINK_TYPE_DECODERS: ReadonlyMap<number, LayerType> = new Map<number, LayerType>([
  [LINKTYPE_ETHERNET, 'ethernet'],
  [LINKTYPE_LINUX_SLL, 'sll'],
  [LINKTYPE_LINUX_SLL2, 'sll2'],
]);

/** EtherType → layer (Ethernet, 802.1Q tags, Linux cooked headers, GENEVE protocol type). */
export const ETHERTYPE_DECODERS: ReadonlyMap<number, LayerType> = new Map<number, LayerType>([
  [ETHERTYPE_IPV4, 'ipv4'],
  [ETHERTYPE_ARP, 'arp'],
  [ETHERTYPE_TEB, 'ethernet'],
  [ETHERTYPE_VLAN, 'vlan'],
  [ETHERTYPE_IPV6, 'ipv6'],
  [ETHERTYPE_QINQ, 'vlan'],
]);

/** IANA protocol number → layer (IPv4 Protocol, IPv6 upper-layer Next Header). */
export const IP_PROTOCOL_DECODERS: ReadonlyMap<number, LayerType> = new Map<number, LayerType>([
  [IP_PROTOCOL_ICMP, 'icmp'],
  [IP_PROTOCOL_IPIP, 'ipv4'],
  [IP_PROTOCOL_TCP, 'tcp'],
  [IP_PROTOCOL_UDP, 'udp'],
  [IP_PROTOCOL_IPV6, 'ipv6'],
  [IP_PROTOCOL_GRE, 'gre'],
  [IP_PROTOCOL_ICMPV6, 'icmpv6'],
]);

/**
 * GRE Protocol Type → layer (RFC 2784 §2.4). Only these: GRE can carry any EtherType, but Ethernet
 * (Transparent Ethernet Bridging, also NVGRE), IP and ERSPAN are what tunnels and mirrors use.
 * ERSPAN Type I (0x88BE without the GRE S bit) has no ERSPAN header: gre.ts names Ethernet itself.
 */
export const GRE_PROTOCOL_DECODERS: ReadonlyMap<number, LayerType> = new Map<number, LayerType>([
  [ETHERTYPE_IPV4, 'ipv4'],
  [ETHERTYPE_TEB, 'ethernet'],
  [ETHERTYPE_IPV6, 'ipv6'],
  [GRE_PROTOCOL_ERSPAN, 'erspan'],
  [GRE_PROTOCOL_ERSPAN_III, 'erspan'],
]);

/** VXLAN-GPE Next Protocol → layer. */
export const VXLAN_GPE_NEXT_PROTOCOL_DECODERS: ReadonlyMap<number, LayerType> = new Map<number, LayerType>([
  [VXLAN_GPE_NEXT_IPV4, 'ipv4'],
  [VXLAN_GPE_NEXT_IPV6, 'ipv6'],
  [VXLAN_GPE_NEXT_ETHERNET, 'ethernet'],
]);

/** Default UDP port bindings, the seed of every `PortRegistry`: 4789 and Linux's legacy 8472 are VXLAN. */
export const UDP_PORT_DECODERS: ReadonlyMap<number, UdpPortLayer> = new Map<number, UdpPortLayer>([
  [VXLAN_PORT, 'vxlan'],
  [VXLAN_LINUX_LEGACY_PORT, 'vxlan'],
  [VXLAN_GPE_PORT, 'vxlan-gpe'],
  [GENEVE_PORT, 'geneve'],
]);

const DEFAULT_VXLAN_PORTS: readonly number[] = [...UDP_PORT_DECODERS].filter(([, l]) => l === 'vxlan').map(([p]) => p);
const DEFAULT_OTHER_PORTS: readonly (readonly [number, UdpPortLayer])[] = [...UDP_PORT_DECODERS].filter(
  ([, l]) => l !== 'vxlan',
);

const CODE_NONE = 0;
const CODE_VXLAN = 1;
const LAYER_CODES: Readonly<Record<UdpPortLayer, number>> = { vxlan: CODE_VXLAN, 'vxlan-gpe': 2, geneve: 3 };
const CODE_LAYERS: readonly (UdpPortLayer | undefined)[] = [undefined, 'vxlan', 'vxlan-gpe', 'geneve'];

/**
 * UDP port → tunnel layer bindings for one decoder configuration (gopacket `RegisterUDPPortLayerType`,
 * but per instance, so the daemon's configured VXLAN ports apply without global state).
 *
 * Lookups match the destination port first, then the source port (gopacket UDP `NextLayerType`).
 *
 * @example
 * const ports = new PortRegistry([4789, 8472]); // VXLAN ports; 4790 (GPE) and 6081 (GENEVE) stay bound
 * ports.isVxlan(54321, 8472); // true
 */
export class PortRegistry {
  /** Layer code per port: a 64 KiB table makes the hot-path lookup a single indexed load. */
  private readonly codes = new Uint8Array(65536);

  /**
   * @param vxlanPorts UDP ports carrying VXLAN (default: the VXLAN ports of `UDP_PORT_DECODERS`, 4789 and 8472).
   *   They are bound last, so they win over `otherPorts`.
   * @param otherPorts the other bindings (default: the rest of `UDP_PORT_DECODERS`, 4790 → vxlan-gpe, 6081 → geneve).
   */
  constructor(
    vxlanPorts: Iterable<number> = DEFAULT_VXLAN_PORTS,
    otherPorts: Iterable<readonly [number, UdpPortLayer]> = DEFAULT_OTHER_PORTS,
  ) {
    for (const [port, layer] of otherPorts) {
      this.registerUdpPort(port, layer);
    }
    for (const port of vxlanPorts) {
      this.registerUdpPort(port, 'vxlan');
    }
  }

  /** Binds `port` to `layer`, replacing any previous binding. Throws RangeError for a non-port. */
  registerUdpPort(port: number, layer: UdpPortLayer): this {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`not a UDP port: ${port}`);
    }
    this.codes[port] = LAYER_CODES[layer];
    return this;
  }

  /** Removes the binding of `port`, if any. */
  unregisterUdpPort(port: number): this {
    if (Number.isInteger(port) && port >= 0 && port <= 65535) {
      this.codes[port] = CODE_NONE;
    }
    return this;
  }

  /** The tunnel layer bound to the destination port, else to the source port, else undefined. */
  lookup(srcPort: number, dstPort: number): UdpPortLayer | undefined {
    const code = this.codes[dstPort & 0xffff];
    return CODE_LAYERS[code !== CODE_NONE ? code : this.codes[srcPort & 0xffff]];
  }

  /** Same rule as `lookup()`, allocation-free, for the hot path: is this datagram VXLAN? */
  isVxlan(srcPort: number, dstPort: number): boolean {
    const code = this.codes[dstPort];
    return (code !== CODE_NONE ? code : this.codes[srcPort]) === CODE_VXLAN;
  }

  /** Ports bound to `layer`, ascending. */
  portsFor(layer: UdpPortLayer): number[] {
    const code = LAYER_CODES[layer];
    const ports: number[] = [];
    for (let port = 1; port < this.codes.length; port++) {
      if (this.codes[port] === code) {
        ports.push(port);
      }
    }
    return ports;
  }
}

/** Resolves a decoder's `NextHint` to the next layer, or undefined when nothing is registered for it. */
export function resolveNextLayer(next: NextHint, ports: PortRegistry): LayerType | undefined {
  switch (next.kind) {
    case 'ethertype':
      return ETHERTYPE_DECODERS.get(next.value);
    case 'ip-protocol':
      return IP_PROTOCOL_DECODERS.get(next.value);
    case 'udp-ports':
      return ports.lookup(next.srcPort, next.dstPort);
    case 'vxlan-gpe':
      return VXLAN_GPE_NEXT_PROTOCOL_DECODERS.get(next.value);
    case 'gre-protocol':
      return GRE_PROTOCOL_DECODERS.get(next.value);
    case 'layer':
      return next.layer;
    case 'fragment':
    case 'none':
    case 'unsupported':
      return undefined;
  }
}
