'use strict';
/**
 * Peer for the offline benchmark: node_pcap's own path. `pcap.createOfflineSession` reads the file
 * through libpcap, and `pcap.decode.packet` decodes every packet (Ethernet → IPv4/IPv6 → UDP); the
 * VNI is read from the UDP payload, since node_pcap has no VXLAN decoder. Counts packets per VNI.
 * Prints one JSON line: packets, vxlan packets, distinct VNIs, loop seconds.
 *
 *   node bench/node-pcap-peer.js FILE
 */
const path = require('path');
const pcap = require(require.resolve('pcap', { paths: [path.resolve(__dirname, '..')] }));

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node-pcap-peer.js FILE\n');
  process.exit(2);
}
const t0 = process.hrtime.bigint();
const session = pcap.createOfflineSession(file, {});
const perVni = new Map();
let packets = 0;
let vxlan = 0;
session.on('packet', (raw) => {
  packets++;
  const p = pcap.decode.packet(raw);
  const ip = p.payload && p.payload.payload;
  const udp = ip && ip.payload;
  if (!udp || (ip.protocol !== 17 && ip.nextHeader !== 17) || (udp.dport !== 4789 && udp.dport !== 8472)) {
    return;
  }
  const data = udp.data;
  if (!data || data.length < 8 || (data[0] & 0x08) === 0) {
    return;
  }
  const vni = (data[4] << 16) | (data[5] << 8) | data[6];
  perVni.set(vni, (perVni.get(vni) || 0) + 1);
  vxlan++;
});
session.on('complete', () => {
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ packets, vxlanPackets: vxlan, vnis: perVni.size, loopSeconds: s })}\n`);
});
