/*
 * The C limit for the offline benchmark: read a pcap file with libpcap and extract the VNI of every
 * VXLAN packet (outer Ethernet [+ 802.1Q] → IPv4/IPv6 → UDP dst 4789/8472 → VXLAN), counting
 * packets per VNI. Prints one JSON line: packets, vxlan packets, distinct VNIs, loop seconds.
 *
 *   cc -O2 -o vxloop vxloop.c -lpcap && ./vxloop FILE
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint32_t per_vni[1 << 24]; /* touched pages only: a few KiB for 64 VNIs */

static inline unsigned be16(const u_char *p) { return ((unsigned)p[0] << 8) | p[1]; }

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *pc = pcap_open_offline(argv[1], err);
  if (pc == NULL) {
    fprintf(stderr, "vxloop: %s\n", err);
    return 1;
  }
  if (pcap_datalink(pc) != DLT_EN10MB) {
    fprintf(stderr, "vxloop: not Ethernet\n");
    return 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  uint64_t packets = 0, vxlan = 0, bytes = 0;
  unsigned distinct = 0;
  struct pcap_pkthdr *h;
  const u_char *d;
  int rc;
  while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
    packets++;
    bytes += h->len;
    unsigned len = h->caplen, off = 12;
    if (len < 14) continue;
    unsigned et = be16(d + off);
    off += 2;
    while ((et == 0x8100 || et == 0x88a8) && off + 4 <= len) {
      et = be16(d + off + 2);
      off += 4;
    }
    unsigned proto;
    if (et == 0x0800) {
      if (off + 20 > len) continue;
      unsigned ihl = (d[off] & 0x0f) * 4u;
      if (ihl < 20 || (be16(d + off + 6) & 0x1fff) != 0) continue; /* later fragment: no UDP header */
      proto = d[off + 9];
      off += ihl;
    } else if (et == 0x86dd) {
      if (off + 40 > len) continue;
      proto = d[off + 6];
      off += 40;
    } else {
      continue;
    }
    if (proto != 17 || off + 16 > len) continue;
    unsigned dport = be16(d + off + 2);
    if (dport != 4789 && dport != 8472) continue;
    const u_char *vx = d + off + 8;
    if ((vx[0] & 0x08) == 0) continue;
    unsigned vni = ((unsigned)vx[4] << 16) | ((unsigned)vx[5] << 8) | vx[6];
    if (per_vni[vni]++ == 0) distinct++;
    vxlan++;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rc == -1) {
    fprintf(stderr, "vxloop: %s\n", pcap_geterr(pc));
    return 1;
  }
  pcap_close(pc);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("{\"packets\":%llu,\"vxlanPackets\":%llu,\"bytes\":%llu,\"vnis\":%u,\"loopSeconds\":%.6f}\n",
         (unsigned long long)packets, (unsigned long long)vxlan, (unsigned long long)bytes, distinct, s);
  return 0;
}
