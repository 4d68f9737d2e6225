// The inner 5-tuple of a tunnelled frame, for flow accounting on the capture hot path.
//
// Reads only what flow keys need from the inner IP header (RFC 791 §3.1, RFC 8200 §3) and the
// first four bytes of TCP (RFC 9293 §3.1) or UDP (RFC 768), the ICMP type (RFC 792) and the ARP
// operation (RFC 826). Like `decodeVxlanFrame()` it fills a caller-owned object, never throws and
// never allocates. Non-first fragments carry no L4 header: their ports stay 0 and `fragment` is set.
import { u16, u32 } from './bytes';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet';
import {
  IP_PROTOCOL_HOPOPTS,
  IP_PROTOCOL_ICMP,
  IP_PROTOCOL_ICMPV6,
  IP_PROTOCOL_IPV6_FRAG,
  IP_PROTOCOL_IPV6_OPTS,
  IP_PROTOCOL_IPV6_ROUTE,
  IP_PROTOCOL_TCP,
  IP_PROTOCOL_UDP,
} from './ipv4';

export interface InnerFlowInfo {
  /** 4 or 6 for IP, 0 for ARP or anything else. */
  ipVersion: 0 | 4 | 6;
  /** IP protocol / IPv6 upper-layer next header; -1 when not IP. */
  protocol: number;
  /** IPv4 addresses as unsigned 32-bit numbers (0 for IPv6). */
  src4: number;
  dst4: number;
  /** Offsets of the source and destination addresses (4 or 16 bytes). */
  srcOffset: number;
  dstOffset: number;
  /** TCP/UDP ports; for ICMP/ICMPv6, srcPort holds the type and dstPort the code. 0 when absent. */
  srcPort: number;
  dstPort: number;
  /** A non-first IP fragment (no L4 header). */
  fragment: boolean;
  /** ARP operation (1 request, 2 reply), or 0. */
  arpOperation: number;
  /** The IP or ARP header did not fit in the captured bytes. */
  truncated: boolean;
}

export function createInnerFlowInfo(): InnerFlowInfo {
  return {
    ipVersion: 0,
    protocol: -1,
    src4: 0,
    dst4: 0,
    srcOffset: -1,
    dstOffset: -1,
    srcPort: 0,
    dstPort: 0,
    fragment: false,
    arpOperation: 0,
    truncated: false,
  };
}

/**
 * Fills `out` from the inner payload starting at `pos` (after the inner Ethernet header and tags)
 * with EtherType `etherType`; bytes at or past `end` are never read. Returns true for an IP packet
 * whose addresses were read, or an ARP packet whose operation was read.
 */
export function decodeInnerFlow(
  buf: Uint8Array,
  pos: number,
  end: number,
  etherType: number,
  out: InnerFlowInfo,
): boolean {
  out.ipVersion = 0;
  out.protocol = -1;
  out.src4 = 0;
  out.dst4 = 0;
  out.srcOffset = -1;
  out.dstOffset = -1;
  out.srcPort = 0;
  out.dstPort = 0;
  out.fragment = false;
  out.arpOperation = 0;
  out.truncated = false;
  if (end > buf.length) {
    end = buf.length;
  }
  let l4: number;
  if (etherType === ETHERTYPE_IPV4) {
    if (end - pos < 20 || buf[pos] >> 4 !== 4) {
      out.truncated = end - pos < 20;
      return false;
    }
    const ihl = (buf[pos] & 0x0f) << 2;
    out.ipVersion = 4;
    out.protocol = buf[pos + 9];
    out.srcOffset = pos + 12;
    out.dstOffset = pos + 16;
    out.src4 = u32(buf, pos + 12);
    out.dst4 = u32(buf, pos + 16);
    if ((u16(buf, pos + 6) & 0x1fff) !== 0) {
      out.fragment = true;
      return true;
    }
    l4 = pos + (ihl < 20 ? 20 : ihl);
  } else if (etherType === ETHERTYPE_IPV6) {
    if (end - pos < 40 || buf[pos] >> 4 !== 6) {
      out.truncated = end - pos < 40;
      return false;
    }
    out.ipVersion = 6;
    out.srcOffset = pos + 8;
    out.dstOffset = pos + 24;
    let next = buf[pos + 6];
    l4 = pos + 40;
    // RFC 8200 §4: skip extension headers to the upper-layer protocol.
    for (let hops = 0; hops < 8; hops++) {
      if (next === IP_PROTOCOL_IPV6_FRAG) {
        if (end - l4 < 8) {
          break;
        }
        if ((u16(buf, l4 + 2) & 0xfff8) !== 0) {
          out.fragment = true;
        }
        next = buf[l4];
        l4 += 8;
      } else if (next === IP_PROTOCOL_HOPOPTS || next === IP_PROTOCOL_IPV6_ROUTE || next === IP_PROTOCOL_IPV6_OPTS) {
        if (end - l4 < 2) {
          break;
        }
        next = buf[l4];
        l4 += (buf[l4 + 1] + 1) << 3;
      } else {
        break;
      }
    }
    out.protocol = next;
    if (out.fragment) {
      return true;
    }
  } else if (etherType === ETHERTYPE_ARP) {
    if (end - pos < 8) {
      out.truncated = true;
      return false;
    }
    out.arpOperation = u16(buf, pos + 6);
    return true;
  } else {
    return false;
  }
  const p = out.protocol;
  if ((p === IP_PROTOCOL_TCP || p === IP_PROTOCOL_UDP) && end - l4 >= 4) {
    out.srcPort = u16(buf, l4);
    out.dstPort = u16(buf, l4 + 2);
  } else if ((p === IP_PROTOCOL_ICMP || p === IP_PROTOCOL_ICMPV6) && end - l4 >= 2) {
    out.srcPort = buf[l4];
    out.dstPort = buf[l4 + 1];
  }
  return true;
}
