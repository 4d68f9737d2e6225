import { decodeLayers, formatIpv4, formatIpv6, formatMac, PortRegistry, type DecodedLayer } from '@vx/wire';

import type { StoredPacket } from './traffic-store';

/** Every port binding, so the inspector and filters see into VXLAN on any usual port. */
const ALL_TUNNEL_PORTS = new PortRegistry();

export function layersOf(p: StoredPacket): DecodedLayer[] {
  return decodeLayers(p.data, 0, p.data.length, p.linkType, ALL_TUNNEL_PORTS).layers;
}

/** True when a MAC (any Ethernet layer, outer or inner) and an IP (any IP layer) of the frame match. */
export function matchesPacket(p: StoredPacket, mac: string | undefined, ip: string | undefined): boolean {
  if (mac === undefined && ip === undefined) {
    return true;
  }
  let macOk = mac === undefined;
  let ipOk = ip === undefined;
  for (const l of layersOf(p)) {
    if (!macOk && l.type === 'ethernet') {
      macOk = formatMac(p.data, l.header.srcOffset) === mac || formatMac(p.data, l.header.dstOffset) === mac;
    } else if (!ipOk && l.type === 'ipv4') {
      ipOk = formatIpv4(l.header.src) === ip || formatIpv4(l.header.dst) === ip;
    } else if (!ipOk && l.type === 'ipv6') {
      ipOk = formatIpv6(p.data, l.header.srcOffset) === ip || formatIpv6(p.data, l.header.dstOffset) === ip;
    }
  }
  return macOk && ipOk;
}

/**
 * A capture file of `packets`: classic pcap (microsecond timestamps) when they share one link type,
 * pcapng with one interface per link type otherwise.
 */
export function writePcap(packets: readonly StoredPacket[]): Buffer {
  const linkTypes = [...new Set(packets.map((p) => p.linkType))];
  return linkTypes.length <= 1 ? classic(packets, linkTypes[0] ?? 1) : pcapng(packets, linkTypes);
}

function classic(packets: readonly StoredPacket[], linkType: number): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkType, 20);
  const parts: Buffer[] = [header];
  for (const p of packets) {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(p.tsMs / 1000), 0);
    rec.writeUInt32LE(Math.round((p.tsMs % 1000) * 1000), 4);
    rec.writeUInt32LE(p.data.length, 8);
    rec.writeUInt32LE(Math.max(p.wirelen, p.data.length), 12);
    parts.push(rec, p.data);
  }
  return Buffer.concat(parts);
}

function block(type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const b = Buffer.alloc(12 + padded.length);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(b.length, 4);
  padded.copy(b, 8);
  b.writeUInt32LE(b.length, b.length - 4);
  return b;
}

function pcapng(packets: readonly StoredPacket[], linkTypes: number[]): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8);
  const parts: Buffer[] = [block(0x0a0d0d0a, shb)];
  for (const lt of linkTypes) {
    const idb = Buffer.alloc(8);
    idb.writeUInt16LE(lt, 0);
    idb.writeUInt32LE(262144, 4);
    parts.push(block(1, idb));
  }
  for (const p of packets) {
    const head = Buffer.alloc(20);
    const us = BigInt(Math.round(p.tsMs * 1000));
    head.writeUInt32LE(linkTypes.indexOf(p.linkType), 0);
    head.writeUInt32LE(Number(us >> 32n), 4);
    head.writeUInt32LE(Number(us & 0xffffffffn), 8);
    head.writeUInt32LE(p.data.length, 12);
    head.writeUInt32LE(Math.max(p.wirelen, p.data.length), 16);
    parts.push(block(6, Buffer.concat([head, p.data])));
  }
  return Buffer.concat(parts);
}
