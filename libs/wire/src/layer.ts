/** Every layer `decodePacket()` can produce; `payload` is the undecoded remainder. */
export type LayerType =
  | 'ethernet'
  | 'vlan'
  | 'sll'
  | 'sll2'
  | 'arp'
  | 'ipv4'
  | 'ipv6'
  | 'icmp'
  | 'icmpv6'
  | 'tcp'
  | 'udp'
  | 'vxlan'
  | 'vxlan-gpe'
  | 'geneve'
  | 'gre'
  | 'erspan'
  | 'payload';

/**
 * How a decoder names the layer that follows it. The registry turns the key into a decoder
 * (gopacket's `NextLayerType()` plus `EthernetTypeMetadata` tables), so no decoder hard-codes its successor.
 */
export type NextHint =
  | { readonly kind: 'ethertype'; readonly value: number }
  | { readonly kind: 'ip-protocol'; readonly value: number }
  | { readonly kind: 'udp-ports'; readonly srcPort: number; readonly dstPort: number }
  | { readonly kind: 'vxlan-gpe'; readonly value: number }
  /** A GRE Protocol Type (RFC 2784 §2.4): an EtherType, plus the ERSPAN types. */
  | { readonly kind: 'gre-protocol'; readonly value: number }
  | { readonly kind: 'layer'; readonly layer: LayerType }
  /** A non-first IP fragment: its payload has no upper-layer header. */
  | { readonly kind: 'fragment' }
  /** Terminal layer (ARP, ICMP, TCP): whatever follows is application data. */
  | { readonly kind: 'none' }
  /** A payload the decoder recognises but does not follow (PPTP's PPP, an ERSPAN frame that is not Ethernet). */
  | { readonly kind: 'unsupported' };

/** What every layer decoder returns: a small readonly header and where its payload lies. */
export interface Decoded<H> {
  readonly header: H;
  /** First byte after this layer's header. */
  readonly payloadOffset: number;
  /** One past the last payload byte: the declared length clamped to the captured bytes. */
  readonly payloadEnd: number;
  /** True when the header declares more bytes than were captured (snap length, first IP fragment). */
  readonly truncated: boolean;
  readonly next: NextHint;
}

/** Signature shared by all layer decoders: decode at `offset`, never reading at or past `end`. */
export type LayerDecoder<H> = (buf: Uint8Array, offset: number, end?: number) => Decoded<H>;

export const NEXT_NONE: NextHint = { kind: 'none' };
export const NEXT_FRAGMENT: NextHint = { kind: 'fragment' };
export const NEXT_UNSUPPORTED: NextHint = { kind: 'unsupported' };
