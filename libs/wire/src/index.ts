/**
 * `@vx/wire`: pure TypeScript packet decoding for vxscope. No Nest, no I/O: bytes in, numbers out.
 *
 * - `decodeVxlanFrame()` is the allocation-free capture hot path (outer headers, VXLAN, inner Ethernet).
 * - `decodePacket()` decodes every layer for the packet inspector (also GRE, NVGRE and ERSPAN, which the
 *   hot path leaves alone).
 * - `PcapFileReader` / `PcapStreamParser` read pcap and pcapng files.
 * - `formatMac()` / `formatIpv4()` / `formatIpv6()` turn offsets and numbers into text at the API edge.
 */
export { DecodeError, need, type DecodeErrorLayer, type DecodeErrorReason } from './decode-error';
export type { Decoded, LayerDecoder, LayerType, NextHint } from './layer';

export { createVxlanFrameInfo, decodeVxlanFrame, MAX_NESTED_VXLAN, type VxlanFrameInfo } from './decode-frame';
export { createInnerFlowInfo, decodeInnerFlow, type InnerFlowInfo } from './inner-flow';
export {
  decodeLayers,
  decodePacket,
  type DecodedLayers,
  LAYER_DECODERS,
  type DecodedLayer,
  type LayerHeaderMap,
  type PayloadHeader,
} from './decode-packet';
export {
  ETHERTYPE_DECODERS,
  GRE_PROTOCOL_DECODERS,
  IP_PROTOCOL_DECODERS,
  LINK_TYPE_DECODERS,
  PortRegistry,
  resolveNextLayer,
  UDP_PORT_DECODERS,
  VXLAN_GPE_NEXT_PROTOCOL_DECODERS,
  type UdpPortLayer,
} from './registry';
export {
  findPcapRecordStart,
  PcapFileReader,
  pcapRecordLayout,
  PcapStreamParser,
  type PcapFormat,
  type PcapPacketHandler,
  type PcapRecordLayout,
} from './pcap-file';
export { formatIpv4, formatIpv6, formatMac } from './format';

export { ARP_REPLY, ARP_REQUEST, decodeArp, type ArpHeader } from './arp';
export {
  decodeEthernet,
  decodeVlan,
  ETHERNET_HEADER_LENGTH,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_QINQ,
  ETHERTYPE_TEB,
  ETHERTYPE_VLAN,
  LINKTYPE_ETHERNET,
  VLAN_TAG_LENGTH,
  type EthernetHeader,
  type VlanHeader,
} from './ethernet';
export {
  decodeErspan,
  ERSPAN_FRAME_TYPE_ETHERNET,
  ERSPAN_II_HEADER_LENGTH,
  ERSPAN_III_HEADER_LENGTH,
  ERSPAN_III_SUBHEADER_LENGTH,
  ERSPAN_VERSION_II,
  ERSPAN_VERSION_III,
  type ErspanHeader,
  type ErspanTypeIIHeader,
  type ErspanTypeIIIHeader,
} from './erspan';
export { decodeGeneve, GENEVE_HEADER_LENGTH, GENEVE_PORT, type GeneveHeader, type GeneveOption } from './geneve';
export {
  decodeGre,
  GRE_FLAG_A,
  GRE_FLAG_C,
  GRE_FLAG_K,
  GRE_FLAG_S,
  GRE_HEADER_LENGTH,
  GRE_PROTOCOL_ERSPAN,
  GRE_PROTOCOL_ERSPAN_III,
  type GreHeader,
} from './gre';
export { decodeIcmp, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMP_HEADER_LENGTH, type IcmpHeader } from './icmp';
export {
  decodeIcmpv6,
  ICMPV6_ECHO_REPLY,
  ICMPV6_ECHO_REQUEST,
  ICMPV6_HEADER_LENGTH,
  ICMPV6_NEIGHBOR_ADVERTISEMENT,
  ICMPV6_NEIGHBOR_SOLICITATION,
  type Icmpv6Header,
} from './icmpv6';
export {
  decodeIpv4,
  IP_PROTOCOL_GRE,
  IP_PROTOCOL_HOPOPTS,
  IP_PROTOCOL_ICMP,
  IP_PROTOCOL_ICMPV6,
  IP_PROTOCOL_IPV6_FRAG,
  IP_PROTOCOL_IPV6_OPTS,
  IP_PROTOCOL_IPV6_ROUTE,
  IP_PROTOCOL_TCP,
  IP_PROTOCOL_UDP,
  IPV4_MIN_HEADER_LENGTH,
  type Ipv4Header,
} from './ipv4';
export { decodeIpv6, IPV6_HEADER_LENGTH, type Ipv6ExtensionHeader, type Ipv6Fragment, type Ipv6Header } from './ipv6';
export {
  decodeSll,
  decodeSll2,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  SLL2_HEADER_LENGTH,
  SLL_HEADER_LENGTH,
  type Sll2Header,
  type SllHeader,
} from './sll';
export { decodeTcp, TCP_FLAG_ACK, TCP_FLAG_FIN, TCP_FLAG_PSH, TCP_FLAG_RST, TCP_FLAG_SYN, type TcpHeader } from './tcp';
export { decodeUdp, UDP_HEADER_LENGTH, type UdpHeader } from './udp';
export {
  decodeVxlan,
  VXLAN_FLAG_GBP,
  VXLAN_FLAG_I,
  VXLAN_HEADER_LENGTH,
  VXLAN_LINUX_LEGACY_PORT,
  VXLAN_PORT,
  type VxlanHeader,
} from './vxlan';
export { decodeVxlanGpe, VXLAN_GPE_HEADER_LENGTH, VXLAN_GPE_PORT, type VxlanGpeHeader } from './vxlan-gpe';
