// RFC 826 — Address Resolution Protocol packet (8 bytes + addresses; 28 for Ethernet/IPv4)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Hardware Type (ar$hrd)    |    Protocol Type (ar$pro)     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | HW len (ar$hln)|Proto len(ar$pln)|     Operation (ar$op)      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Sender hardware address (ar$sha), ar$hln bytes                ~
// | Sender protocol address (ar$spa), ar$pln bytes                ~
// | Target hardware address (ar$tha), ar$hln bytes                ~
// | Target protocol address (ar$tpa), ar$pln bytes                ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { u16, u32 } from './bytes';
import { need } from './decode-error';
import { NEXT_NONE, type Decoded } from './layer';

const ARP_FIXED_LENGTH = 8;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

export interface ArpHeader {
  /** ar$hrd (1 = Ethernet). */
  readonly hardwareType: number;
  /** ar$pro (an EtherType, 0x0800 for IPv4). */
  readonly protocolType: number;
  /** ar$hln. */
  readonly hardwareLength: number;
  /** ar$pln. */
  readonly protocolLength: number;
  /** ar$op (1 request, 2 reply). */
  readonly operation: number;
  /** Offsets of ar$sha, ar$spa, ar$tha, ar$tpa. */
  readonly senderHardwareOffset: number;
  readonly senderProtocolOffset: number;
  readonly targetHardwareOffset: number;
  readonly targetProtocolOffset: number;
  /** ar$spa / ar$tpa as unsigned 32-bit numbers when they are IPv4 addresses, else -1. */
  readonly senderIpv4: number;
  readonly targetIpv4: number;
}

/** Decodes an ARP packet; bytes after it are link-layer padding, so it has no payload. */
export function decodeArp(buf: Uint8Array, offset: number, end = buf.length): Decoded<ArpHeader> {
  need(buf, offset, ARP_FIXED_LENGTH, 'arp', end);
  const hardwareLength = buf[offset + 4];
  const protocolLength = buf[offset + 5];
  const length = ARP_FIXED_LENGTH + 2 * (hardwareLength + protocolLength);
  need(buf, offset, length, 'arp', end);
  const senderHardwareOffset = offset + ARP_FIXED_LENGTH;
  const senderProtocolOffset = senderHardwareOffset + hardwareLength;
  const targetHardwareOffset = senderProtocolOffset + protocolLength;
  const targetProtocolOffset = targetHardwareOffset + hardwareLength;
  const protocolType = u16(buf, offset + 2);
  const ipv4 = protocolType === 0x0800 && protocolLength === 4;
  return {
    header: {
      hardwareType: u16(buf, offset),
      protocolType,
      hardwareLength,
      protocolLength,
      operation: u16(buf, offset + 6),
      senderHardwareOffset,
      senderProtocolOffset,
      targetHardwareOffset,
      targetProtocolOffset,
      senderIpv4: ipv4 ? u32(buf, senderProtocolOffset) : -1,
      targetIpv4: ipv4 ? u32(buf, targetProtocolOffset) : -1,
    },
    payloadOffset: offset + length,
    payloadEnd: offset + length,
    truncated: false,
    next: NEXT_NONE,
  };
}
