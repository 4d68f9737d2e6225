import {
  formatIpv4,
  formatIpv6,
  formatMac,
  GRE_PROTOCOL_ERSPAN,
  type DecodedLayer,
  type ErspanHeader,
  type GreHeader,
} from '@vx/wire';

const hex = (n: number, width = 4): string => `0x${n.toString(16).padStart(width, '0')}`;

/** One line per layer for the packet inspector, tcpdump-like; only called at the API edge. */
export function describeLayer(l: DecodedLayer, buf: Uint8Array): string {
  switch (l.type) {
    case 'ethernet':
      return `${formatMac(buf, l.header.srcOffset)} > ${formatMac(buf, l.header.dstOffset)} type ${hex(l.header.etherType)}`;
    case 'vlan':
      return `vlan ${l.header.vlanId} p ${l.header.priority} type ${hex(l.header.etherType)}`;
    case 'sll':
    case 'sll2':
      return `cooked protocol ${hex(l.header.protocol)}`;
    case 'arp':
      return l.header.operation === 1
        ? `who-has ${formatIpv4(l.header.targetIpv4)} tell ${formatIpv4(l.header.senderIpv4)}`
        : `${formatIpv4(l.header.senderIpv4)} is-at ${formatMac(buf, l.header.senderHardwareOffset)} (op ${l.header.operation})`;
    case 'ipv4':
      return `${formatIpv4(l.header.src)} > ${formatIpv4(l.header.dst)} proto ${l.header.protocol} ttl ${l.header.ttl} len ${l.header.totalLength}${l.header.moreFragments || l.header.fragmentOffset ? ` frag off ${l.header.fragmentOffset}${l.header.moreFragments ? '+' : ''}` : ''}`;
    case 'ipv6':
      return `${formatIpv6(buf, l.header.srcOffset)} > ${formatIpv6(buf, l.header.dstOffset)} next ${l.header.protocol} hlim ${l.header.hopLimit}`;
    case 'icmp':
      return `icmp type ${l.header.type} code ${l.header.code}`;
    case 'icmpv6':
      return `icmp6 type ${l.header.type} code ${l.header.code}`;
    case 'tcp':
      return `${l.header.srcPort} > ${l.header.dstPort} flags ${hex(l.header.flags, 2)} seq ${l.header.sequenceNumber} win ${l.header.window}`;
    case 'udp':
      return `${l.header.srcPort} > ${l.header.dstPort} len ${l.header.length}`;
    case 'vxlan':
      return `VNI ${l.header.vni} flags ${hex(l.header.flags, 2)}${l.header.vniValid ? '' : ' (I flag missing)'}${l.header.reservedBitsSet ? ' (reserved bits set)' : ''}${l.header.groupPolicyId >= 0 ? ` gbp ${l.header.groupPolicyId}` : ''}`;
    case 'vxlan-gpe':
      return `VNI ${l.header.vni} next protocol ${l.header.nextProtocol}`;
    case 'geneve':
      return `VNI ${l.header.vni} protocol ${hex(l.header.protocolType)} options ${l.header.options.length}`;
    case 'gre':
      return describeGre(l.header);
    case 'erspan':
      return describeErspan(l.header);
    case 'payload':
      return `${l.length} bytes (${l.header.reason})`;
  }
}

function describeGre(h: GreHeader): string {
  let s = h.version === 1 ? `PPTP (GRE v1) protocol ${hex(h.protocolType)}` : `protocol ${hex(h.protocolType)}`;
  if (h.vsid >= 0) {
    s += ` NVGRE VSID ${h.vsid} flow ${h.flowId}`;
  } else if (h.key >= 0 && h.version === 1) {
    // RFC 2637 §4.1: the key holds the payload length and the call ID.
    s += ` call ${h.key & 0xffff} length ${h.key >>> 16}`;
  } else if (h.key >= 0) {
    s += ` key ${h.key}`;
  }
  if (h.version === 0 && h.protocolType === GRE_PROTOCOL_ERSPAN && !h.sequencePresent) {
    s += ' (ERSPAN type I)';
  }
  if (h.sequenceNumber >= 0) {
    s += ` seq ${h.sequenceNumber}`;
  }
  if (h.acknowledgmentNumber >= 0) {
    s += ` ack ${h.acknowledgmentNumber}`;
  }
  if (h.checksum >= 0) {
    s += ` csum ${hex(h.checksum)}`;
  }
  if (h.routingPresent) {
    s += ' (RFC 1701 routing, not decoded)';
  }
  return h.reservedBitsSet ? `${s} (reserved bits set)` : s;
}

function describeErspan(h: ErspanHeader): string {
  const common = `session ${h.sessionId} vlan ${h.vlan} cos ${h.cos}${h.frameTruncated ? ' (frame truncated)' : ''}`;
  if (h.version === 1) {
    return `type II ${common} index ${h.index}`;
  }
  return (
    `type III ${common} ${h.egress ? 'egress' : 'ingress'} frame type ${h.frameType} hw ${h.hardwareId} ` +
    `timestamp ${h.timestamp} sgt ${h.sgt}${h.platformId >= 0 ? ` platform ${h.platformId}` : ''}`
  );
}
