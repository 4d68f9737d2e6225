// Full layered decode for the packet inspector and tests: every layer the registry knows, each as a
// small readonly header object. Allocates; the capture path uses `decodeVxlanFrame()` instead.
import { decodeArp, type ArpHeader } from './arp';
import { decodeEthernet, decodeVlan, type EthernetHeader, type VlanHeader } from './ethernet';
import { decodeErspan, type ErspanHeader } from './erspan';
import { decodeGeneve, type GeneveHeader } from './geneve';
import { decodeGre, type GreHeader } from './gre';
import { decodeIcmp, type IcmpHeader } from './icmp';
import { decodeIcmpv6, type Icmpv6Header } from './icmpv6';
import { decodeIpv4, type Ipv4Header } from './ipv4';
import { decodeIpv6, type Ipv6Header } from './ipv6';
import { DecodeError } from './decode-error';
import type { Decoded, LayerType } from './layer';
import { LINK_TYPE_DECODERS, resolveNextLayer, type PortRegistry } from './registry';
import { decodeSll, decodeSll2, type Sll2Header, type SllHeader } from './sll';
import { decodeTcp, type TcpHeader } from './tcp';
import { decodeUdp, type UdpHeader } from './udp';
import { decodeVxlan, type VxlanHeader } from './vxlan';
import { decodeVxlanGpe, type VxlanGpeHeader } from './vxlan-gpe';

/**
 * Why undecoded bytes are left: application data, no decoder registered for the next key (or a payload
 * the decoder does not follow, such as PPTP's PPP), or a non-first IP fragment.
 */
export interface PayloadHeader {
  readonly reason: 'data' | 'unsupported' | 'fragment';
}

/** Header type of each layer. */
export interface LayerHeaderMap {
  ethernet: EthernetHeader;
  vlan: VlanHeader;
  sll: SllHeader;
  sll2: Sll2Header;
  arp: ArpHeader;
  ipv4: Ipv4Header;
  ipv6: Ipv6Header;
  icmp: IcmpHeader;
  icmpv6: Icmpv6Header;
  tcp: TcpHeader;
  udp: UdpHeader;
  vxlan: VxlanHeader;
  'vxlan-gpe': VxlanGpeHeader;
  geneve: GeneveHeader;
  gre: GreHeader;
  erspan: ErspanHeader;
  payload: PayloadHeader;
}

/** One decoded layer: where it starts, its header length (payload: its byte count) and its header. */
export type DecodedLayer = {
  [K in LayerType]: {
    readonly type: K;
    readonly offset: number;
    readonly length: number;
    /** The layer's length field claims more bytes than were captured. */
    readonly truncated: boolean;
    readonly header: LayerHeaderMap[K];
  };
}[LayerType];

type HeaderDecoders = {
  readonly [K in Exclude<LayerType, 'payload'>]: (
    buf: Uint8Array,
    offset: number,
    end: number,
  ) => Decoded<LayerHeaderMap[K]>;
};

/** Layer → decoder, the last table of the registry. */
export const LAYER_DECODERS: HeaderDecoders = {
  ethernet: decodeEthernet,
  vlan: decodeVlan,
  sll: decodeSll,
  sll2: decodeSll2,
  arp: decodeArp,
  ipv4: decodeIpv4,
  ipv6: decodeIpv6,
  icmp: decodeIcmp,
  icmpv6: decodeIcmpv6,
  tcp: decodeTcp,
  udp: decodeUdp,
  vxlan: decodeVxlan,
  'vxlan-gpe': decodeVxlanGpe,
  geneve: decodeGeneve,
  gre: decodeGre,
  erspan: decodeErspan,
};

/** Bound on tunnel-in-tunnel depth; each layer consumes bytes, so this only guards pathological input. */
const MAX_LAYERS = 64;

/** The layers decoded before a header failed, and the failure (undefined when the whole frame decoded). */
export interface DecodedLayers {
  readonly layers: DecodedLayer[];
  readonly error: DecodeError | undefined;
}

/**
 * Decodes every layer of one captured frame, outermost first, e.g. Ethernet → IPv4 → UDP → VXLAN →
 * Ethernet → ARP, or Ethernet → IPv4 → GRE → ERSPAN → Ethernet → IPv4 → TCP. Undecoded bytes at the end
 * become a `payload` layer.
 * Never throws: a truncated or malformed header ends the walk, and the layers before it are kept.
 *
 * @param buf bytes holding the frame
 * @param offset where the frame starts in `buf`
 * @param length captured length; bytes past it are never read
 * @param linkType pcap link type (1 Ethernet, 113 Linux SLL, 276 Linux SLL2); others yield one `payload` layer
 * @param ports UDP port bindings for the tunnel layers
 */
export function decodeLayers(
  buf: Uint8Array,
  offset: number,
  length: number,
  linkType: number,
  ports: PortRegistry,
): DecodedLayers {
  const limit = offset + length;
  let end = limit < buf.length ? limit : buf.length;
  const layers: DecodedLayer[] = [];
  let pos = offset;
  let type = LINK_TYPE_DECODERS.get(linkType);
  let reason: PayloadHeader['reason'] = 'unsupported';
  while (type !== undefined && type !== 'payload' && layers.length < MAX_LAYERS) {
    let decoded: Decoded<LayerHeaderMap[typeof type]>;
    try {
      decoded = LAYER_DECODERS[type](buf, pos, end);
    } catch (err) {
      if (err instanceof DecodeError) {
        return { layers, error: err };
      }
      throw err;
    }
    // `type` and `decoded.header` are correlated by LAYER_DECODERS, which TypeScript cannot follow.
    layers.push({
      type,
      offset: pos,
      length: decoded.payloadOffset - pos,
      truncated: decoded.truncated,
      header: decoded.header,
    } as DecodedLayer);
    pos = decoded.payloadOffset;
    end = decoded.payloadEnd;
    type = resolveNextLayer(decoded.next, ports);
    reason = decoded.next.kind === 'none' ? 'data' : decoded.next.kind === 'fragment' ? 'fragment' : 'unsupported';
  }
  if (end > pos) {
    layers.push({ type: 'payload', offset: pos, length: end - pos, truncated: false, header: { reason } });
  }
  return { layers, error: undefined };
}

/**
 * Like `decodeLayers()`, for callers that want all or nothing.
 *
 * @throws DecodeError when a header is truncated or malformed
 */
export function decodePacket(
  buf: Uint8Array,
  offset: number,
  length: number,
  linkType: number,
  ports: PortRegistry,
): DecodedLayer[] {
  const { layers, error } = decodeLayers(buf, offset, length, linkType, ports);
  if (error) {
    throw error;
  }
  return layers;
}
