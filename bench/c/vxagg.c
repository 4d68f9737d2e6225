/*
 * A fair C peer for the offline benchmark: read a pcap file with libpcap and do, per packet, the work
 * vxscope's ingest does (apps/vxscope/src/capture/ingest/), in plain C: outer Ethernet [+ 802.1Q/
 * 802.1ad] → IPv4 (first fragment) / IPv6 (+ extension headers) → UDP 4789/8472 (destination port
 * first, then source) → VXLAN → inner Ethernet [+ tags] → inner IPv4/IPv6/ARP → protocol and ports,
 * and aggregate it:
 *   - per VNI: packets, bytes, unicast/broadcast/multicast inner destination MACs, ARP requests and
 *     replies, packets per inner EtherType and per IP protocol, an 8-bucket size histogram;
 *   - per VTEP pair (VNI, outer source, outer destination, destination port): packets, bytes,
 *     first/last seen, in an open-addressing table bounded at 65,536 pairs (load ≤ 1/2);
 *   - per inner flow (VNI, IP version, protocol, addresses, ports): packets, bytes, first/last seen,
 *     in a 65,536-slot 4-way set-associative table; a new flow finding its set full replaces the
 *     slot with the fewest bytes (an eviction), as flow-table.ts does;
 *   - per inner source MAC (VNI, MAC): the outer source VTEP it was last seen behind (and the one
 *     before), packets, first/last seen, moves, in a 65,536-slot 8-way set-associative table that
 *     replaces the oldest-inserted MAC of a full set, as mac-table.ts does.
 * All tables are fixed-size and static; nothing is allocated per packet. Unlike ours it does not
 * decode tunnels in the inner frame (VXLAN in VXLAN, GENEVE, VXLAN-GPE, GRE): the bench capture has
 * none. Wire length is the record's original length. Prints one JSON line: packets, vxlan packets,
 * bytes, distinct VNIs, flows tracked and evicted, VTEP pairs, MACs, loop seconds (with --vnis, also
 * one JSON line per VNI on stderr, to compare with `vxscope read --json`).
 *
 *   cc -O2 -o vxagg vxagg.c -lpcap && ./vxagg FILE [--vnis]
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline unsigned be16(const u_char *p) { return ((unsigned)p[0] << 8) | p[1]; }
static inline uint32_t be32(const u_char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
/* 16 bytes equal (two 8-byte loads; memcmp() here became a libc call). */
static inline int eq16(const u_char *a, const u_char *b) {
  uint64_t a0, a1, b0, b1;
  memcpy(&a0, a, 8);
  memcpy(&a1, a + 8, 8);
  memcpy(&b0, b, 8);
  memcpy(&b1, b + 8, 8);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}
static inline uint32_t mix(uint32_t h, uint32_t w, unsigned r, uint32_t m) { return (h ^ w ^ (h >> r)) * m; }

/* ---- UDP ports: VXLAN (4789, 8472) and the other tunnels ours knows (VXLAN-GPE 4790, GENEVE 6081) ---- */

enum { PORT_NONE = 0, PORT_VXLAN = 1, PORT_OTHER = 2 };
static uint8_t port_code[65536];

static inline int is_vxlan(unsigned sport, unsigned dport) {
  unsigned c = port_code[dport];
  return (c != PORT_NONE ? c : port_code[sport]) == PORT_VXLAN;
}

/* ---- per VNI (at most MAX_VNIS; packets of further VNIs are counted in vni_overflow) ---- */

#define MAX_VNIS 4096
#define VNI_SLOTS 8192 /* open addressing, load ≤ 1/2 */
#define OTHER_ETS 16   /* EtherTypes other than IPv4/IPv6/ARP kept per VNI; more go to one bucket */
static const unsigned size_bounds[7] = {64, 128, 256, 512, 1024, 1518, 9018};

struct vni_counters {
  uint64_t packets, bytes, broadcast, multicast, unicast, arp_requests, arp_replies;
  uint64_t et_ipv4, et_ipv6, et_arp, et_rest;
  uint32_t other_et[OTHER_ETS];
  uint64_t other_et_count[OTHER_ETS];
  unsigned n_other_et;
  uint64_t protocols[256];
  uint64_t sizes[8];
  uint64_t no_i_flag, reserved_bits, first_seen, last_seen;
  uint32_t vni;
};

static struct vni_counters vni_counters[MAX_VNIS];
static uint32_t vni_keys[VNI_SLOTS]; /* vni + 1; 0: empty */
static uint16_t vni_index[VNI_SLOTS];
static unsigned n_vnis;
static uint64_t vni_overflow;

static struct vni_counters *vni_get(uint32_t vni, uint64_t ts) {
  uint32_t key = vni + 1;
  unsigned i = (key * 0x9e3779b1u) >> (32 - 13);
  for (;; i = (i + 1) & (VNI_SLOTS - 1)) {
    if (vni_keys[i] == key) return &vni_counters[vni_index[i]];
    if (vni_keys[i] == 0) break;
  }
  if (n_vnis >= MAX_VNIS) return NULL;
  vni_keys[i] = key;
  vni_index[i] = (uint16_t)n_vnis;
  struct vni_counters *c = &vni_counters[n_vnis++];
  c->vni = vni;
  c->first_seen = ts;
  return c;
}

static inline void count_ethertype(struct vni_counters *c, unsigned et) {
  if (et == 0x0800) {
    c->et_ipv4++;
  } else if (et == 0x86dd) {
    c->et_ipv6++;
  } else if (et == 0x0806) {
    c->et_arp++;
  } else {
    for (unsigned i = 0; i < c->n_other_et; i++) {
      if (c->other_et[i] == et) {
        c->other_et_count[i]++;
        return;
      }
    }
    if (c->n_other_et < OTHER_ETS) {
      c->other_et[c->n_other_et] = et;
      c->other_et_count[c->n_other_et++] = 1;
    } else {
      c->et_rest++;
    }
  }
}

/* ---- per VTEP pair: IPv4 in a flat table, IPv6 (rare) in a smaller one, both bounded at PAIR_CAP ---- */

#define PAIR_CAP 65536
#define PAIR_SLOTS 131072
#define PAIR6_SLOTS 8192

struct pair4 {
  uint32_t vni1; /* vni + 1; 0: empty */
  uint32_t dport;
  uint32_t src, dst;
  uint64_t packets, bytes, first_seen, last_seen;
};
struct pair6 {
  uint32_t vni1, dport;
  u_char src[16], dst[16];
  uint64_t packets, bytes, first_seen, last_seen;
};
static struct pair4 pairs4[PAIR_SLOTS];
static struct pair6 pairs6[PAIR6_SLOTS];
static unsigned n_pairs, n_pairs6;
static uint64_t pair_evictions;

static inline uint32_t pair_hash(uint32_t vni, uint32_t dport, uint32_t src, uint32_t dst) {
  uint32_t h = (vni ^ 0x9e3779b9u) * 0x85ebca6bu;
  h = mix(h, dport, 15, 0xc2b2ae35u);
  h = mix(h, src, 13, 0x85ebca6bu);
  h = mix(h, dst, 16, 0xc2b2ae35u);
  return h ^ (h >> 16);
}

static void pair_add4(uint32_t vni, unsigned dport, uint32_t src, uint32_t dst, unsigned len, uint64_t ts) {
  unsigned i = pair_hash(vni, dport, src, dst) & (PAIR_SLOTS - 1);
  struct pair4 *p;
  for (;; i = (i + 1) & (PAIR_SLOTS - 1)) {
    p = &pairs4[i];
    if (p->vni1 == 0) break;
    if (p->src == src && p->dst == dst && p->vni1 == vni + 1 && p->dport == dport) {
      p->packets++;
      p->bytes += len;
      if (ts > p->last_seen) p->last_seen = ts;
      return;
    }
  }
  if (n_pairs >= PAIR_CAP) {
    pair_evictions++;
    return;
  }
  n_pairs++;
  p->vni1 = vni + 1;
  p->dport = dport;
  p->src = src;
  p->dst = dst;
  p->packets = 1;
  p->bytes = len;
  p->first_seen = p->last_seen = ts;
}

static void pair_add6(uint32_t vni, unsigned dport, const u_char *src, const u_char *dst, unsigned len, uint64_t ts) {
  uint32_t h = pair_hash(vni, dport, be32(src + 12) ^ be32(src + 8), be32(dst + 12) ^ be32(dst + 8));
  unsigned i = h & (PAIR6_SLOTS - 1);
  struct pair6 *p;
  for (;; i = (i + 1) & (PAIR6_SLOTS - 1)) {
    p = &pairs6[i];
    if (p->vni1 == 0) break;
    if (p->vni1 == vni + 1 && p->dport == dport && eq16(p->src, src) && eq16(p->dst, dst)) {
      p->packets++;
      p->bytes += len;
      if (ts > p->last_seen) p->last_seen = ts;
      return;
    }
  }
  if (n_pairs6 >= PAIR6_SLOTS / 2 || n_pairs + n_pairs6 >= PAIR_CAP) {
    pair_evictions++;
    return;
  }
  n_pairs6++;
  p->vni1 = vni + 1;
  p->dport = dport;
  memcpy(p->src, src, 16);
  memcpy(p->dst, dst, 16);
  p->packets = 1;
  p->bytes = len;
  p->first_seen = p->last_seen = ts;
}

/* ---- inner flows: 4-way set-associative, 65,536 slots, the set's fewest-bytes slot is the victim ---- */

#define FLOW_WAYS 4
#define FLOW_SETS 16384
/* Key words: vni, protocol << 16 | ip version, ports, source word 0, destination word 0, then the
 * other three words of each IPv6 address. IPv4 keys use (and compare) the first five. */
#define FLOW_KEY_WORDS 11
#define FLOW_V4_WORDS 5

struct flow {
  uint32_t key[FLOW_KEY_WORDS];
  uint32_t packets;
  uint64_t first_seen, last_seen;
} __attribute__((aligned(64)));
static struct flow flows[FLOW_SETS * FLOW_WAYS];
static uint16_t flow_tags[FLOW_SETS * FLOW_WAYS]; /* 0: empty */
static uint64_t flow_bytes[FLOW_SETS * FLOW_WAYS];
static uint64_t flows_tracked, flow_evictions;

struct inner_flow {
  unsigned ip_version; /* 4, 6, or 0 (not IP) */
  unsigned protocol;
  unsigned arp_op;
  uint32_t key[FLOW_KEY_WORDS];
};

static inline int flow_matches(const uint32_t *a, const uint32_t *k, unsigned words) {
  if (a[3] != k[3] || a[4] != k[4] || a[2] != k[2] || a[1] != k[1] || a[0] != k[0]) return 0;
  return words == FLOW_V4_WORDS || (a[5] == k[5] && a[6] == k[6] && a[7] == k[7] && a[8] == k[8] && a[9] == k[9] && a[10] == k[10]);
}

static void flow_add(uint32_t vni, struct inner_flow *f, unsigned len, uint64_t ts) {
  uint32_t *k = f->key;
  k[0] = vni;
  uint32_t h = (vni ^ 0x9e3779b9u) * 0x85ebca6bu;
  h = mix(h, k[1], 15, 0xc2b2ae35u);
  h = mix(h, k[2], 13, 0x85ebca6bu);
  unsigned words;
  if (f->ip_version == 6) {
    words = FLOW_KEY_WORDS;
    for (unsigned i = 3; i < FLOW_KEY_WORDS; i++) h = mix(h, k[i], 16, 0xc2b2ae35u);
  } else {
    words = FLOW_V4_WORDS;
    h = mix(h, k[3], 16, 0xc2b2ae35u);
    h = mix(h, k[4], 15, 0x85ebca6bu);
  }
  h ^= h >> 16;
  uint16_t tag = (uint16_t)((h & 0xff) | ((h >> 16) & 0xff00) | 1);
  unsigned base = ((h >> 8) & (FLOW_SETS - 1)) * FLOW_WAYS;
  int victim = -1, free_slot = -1;
  for (unsigned s = base; s < base + FLOW_WAYS; s++) {
    uint16_t t = flow_tags[s];
    if (t == 0) {
      if (free_slot < 0) free_slot = (int)s;
      continue;
    }
    if (t == tag && flow_matches(flows[s].key, k, words)) {
      flow_bytes[s] += len;
      flows[s].packets++;
      flows[s].last_seen = ts;
      return;
    }
    if (victim < 0 || flow_bytes[s] < flow_bytes[victim]) victim = (int)s;
  }
  unsigned s;
  if (free_slot >= 0) {
    s = (unsigned)free_slot;
    flows_tracked++;
  } else {
    s = (unsigned)victim;
    flow_evictions++;
  }
  struct flow *r = &flows[s];
  memcpy(r->key, k, words * 4);
  flow_tags[s] = tag;
  flow_bytes[s] = len;
  r->packets = 1;
  r->first_seen = r->last_seen = ts;
}

/* ---- inner source MACs: 8-way set-associative, 65,536 slots, the set's oldest insertion is the victim ---- */

#define MAC_WAYS 8
#define MAC_SETS 8192

struct mac {
  uint64_t mac; /* 48 bits */
  uint32_t vni;
  uint32_t packets;
  u_char vtep[16];     /* outer source address: IPv6, or IPv4 in the last 4 bytes (first 12 zero) */
  u_char previous[16]; /* the VTEP before the last move (all zero: none) */
  uint64_t first_seen, last_seen;
} __attribute__((aligned(64)));
static struct mac macs[MAC_SETS * MAC_WAYS];
static uint32_t mac_tags[MAC_SETS * MAC_WAYS]; /* 0: empty */
static uint32_t mac_inserted[MAC_SETS * MAC_WAYS];
static uint32_t mac_moves[MAC_SETS * MAC_WAYS];
static uint64_t n_macs, mac_evictions, mac_move_count;
static uint32_t mac_insertions;

static void mac_see(uint32_t vni, const u_char *m, const u_char vtep[16], uint64_t ts) {
  uint32_t hi = be16(m), lo = be32(m + 2);
  uint64_t mac = ((uint64_t)hi << 32) | lo;
  uint32_t h = (vni ^ 0x9e3779b9u) * 0x85ebca6bu;
  h = mix(h, hi, 15, 0xc2b2ae35u);
  h = mix(h, lo, 13, 0x85ebca6bu);
  h ^= h >> 16;
  uint32_t tag = h | 1;
  unsigned base = ((h >> 8) & (MAC_SETS - 1)) * MAC_WAYS;
  int free_slot = -1;
  for (unsigned s = base; s < base + MAC_WAYS; s++) {
    uint32_t t = mac_tags[s];
    if (t == 0) {
      if (free_slot < 0) free_slot = (int)s;
      continue;
    }
    struct mac *r = &macs[s];
    if (t == tag && r->mac == mac && r->vni == vni) {
      r->packets++;
      r->last_seen = ts;
      if (!eq16(r->vtep, vtep)) { /* moved (rare) */
        memcpy(r->previous, r->vtep, 16);
        memcpy(r->vtep, vtep, 16);
        mac_moves[s]++;
        mac_move_count++;
      }
      return;
    }
  }
  unsigned s;
  if (free_slot >= 0) {
    s = (unsigned)free_slot;
    n_macs++;
  } else {
    s = base;
    for (unsigned x = base + 1; x < base + MAC_WAYS; x++) {
      if (mac_inserted[x] < mac_inserted[s]) s = x;
    }
    mac_evictions++;
  }
  struct mac *r = &macs[s];
  mac_tags[s] = tag;
  r->mac = mac;
  r->vni = vni;
  r->packets = 1;
  memcpy(r->vtep, vtep, 16);
  memset(r->previous, 0, 16);
  r->first_seen = r->last_seen = ts;
  mac_moves[s] = 0;
  mac_inserted[s] = mac_insertions++;
}

/* ---- decoding ---- */

/* Inner payload at d[off..end) with EtherType et → f (as decodeInnerFlow() in libs/wire/src/inner-flow.ts). */
static void inner_flow(const u_char *d, unsigned off, unsigned end, unsigned et, struct inner_flow *f) {
  uint32_t *k = f->key;
  unsigned l4, fragment = 0;
  f->ip_version = 0;
  f->arp_op = 0;
  if (et == 0x0800) {
    if (end < off + 20 || (d[off] >> 4) != 4) return;
    unsigned ihl = (d[off] & 0x0f) * 4u;
    f->ip_version = 4;
    f->protocol = d[off + 9];
    k[3] = be32(d + off + 12);
    k[4] = be32(d + off + 16);
    fragment = (be16(d + off + 6) & 0x1fff) != 0;
    l4 = off + (ihl < 20 ? 20 : ihl);
  } else if (et == 0x86dd) {
    if (end < off + 40 || (d[off] >> 4) != 6) return;
    f->ip_version = 6;
    k[3] = be32(d + off + 8);
    k[4] = be32(d + off + 24);
    for (unsigned i = 1; i < 4; i++) {
      k[4 + i] = be32(d + off + 8 + 4 * i);
      k[7 + i] = be32(d + off + 24 + 4 * i);
    }
    unsigned next = d[off + 6];
    l4 = off + 40;
    for (unsigned hops = 0; hops < 8; hops++) { /* RFC 8200 §4 extension headers */
      if (next == 44) {
        if (end < l4 + 8) break;
        if ((be16(d + l4 + 2) & 0xfff8) != 0) fragment = 1;
        next = d[l4];
        l4 += 8;
      } else if (next == 0 || next == 43 || next == 60) {
        if (end < l4 + 2) break;
        next = d[l4];
        l4 += (d[l4 + 1] + 1u) * 8u;
      } else {
        break;
      }
    }
    f->protocol = next;
  } else {
    if (et == 0x0806 && end >= off + 8) f->arp_op = be16(d + off + 6);
    return;
  }
  unsigned p = f->protocol, sport = 0, dport = 0;
  if (!fragment) {
    if ((p == 6 || p == 17) && end >= l4 + 4) {
      sport = be16(d + l4);
      dport = be16(d + l4 + 2);
    } else if ((p == 1 || p == 58) && end >= l4 + 2) {
      sport = d[l4];
      dport = d[l4 + 1];
    }
  }
  k[1] = (p << 16) | f->ip_version;
  k[2] = (sport << 16) | dport;
}

static uint64_t packets, vxlan_packets, bytes, decode_errors;
static struct vni_counters *last_counters;
static uint32_t last_vni = UINT32_MAX;

/* Packets, bytes, size and header checks of one VXLAN header (countVni() in ingest.ts). */
static struct vni_counters *count_vni(uint32_t vni, unsigned flags_ok, unsigned reserved, unsigned len, uint64_t ts) {
  struct vni_counters *c = vni == last_vni ? last_counters : vni_get(vni, ts);
  if (c == NULL) {
    vni_overflow++;
    return NULL;
  }
  last_vni = vni;
  last_counters = c;
  c->packets++;
  c->bytes += len;
  c->last_seen = ts;
  unsigned b = 0;
  while (b < 7 && len > size_bounds[b]) b++;
  c->sizes[b]++;
  if (!flags_ok) c->no_i_flag++;
  if (reserved) c->reserved_bits++;
  return c;
}

static void packet(const struct pcap_pkthdr *h, const u_char *d) {
  packets++;
  unsigned len = h->len;
  unsigned end = h->caplen;
  uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
  bytes += len;
  if (end < 14) goto error;
  unsigned et = be16(d + 12), off = 14;
  while (et == 0x8100 || et == 0x88a8) {
    if (end < off + 4) goto error;
    et = be16(d + off + 2);
    off += 4;
  }
  unsigned ip = off, ip_end, ver;
  if (et == 0x0800) {
    if (end < off + 20) goto error;
    if ((d[off] >> 4) != 4) goto error;
    if (d[off + 9] != 17 || (be16(d + off + 6) & 0x1fff) != 0) return; /* not UDP, or a later fragment */
    unsigned ihl = (d[off] & 0x0f) * 4u, total = be16(d + off + 2);
    if (ihl < 20 || end < off + ihl || (total != 0 && total < ihl)) goto error;
    ip_end = total == 0 ? end : off + total;
    ver = 4;
    off += ihl;
  } else if (et == 0x86dd) {
    if (end < off + 40) goto error;
    if ((d[off] >> 4) != 6) goto error;
    unsigned payload = be16(d + off + 4);
    ip_end = payload == 0 ? end : off + 40 + payload;
    unsigned walk_end = ip_end < end ? ip_end : end, next = d[off + 6];
    ver = 6;
    off += 40;
    while (next != 17) {
      if (next == 44) {
        if (walk_end < off + 8) goto error;
        if ((be16(d + off + 2) & 0xfff8) != 0) return; /* a later fragment */
        next = d[off];
        off += 8;
      } else if (next == 0 || next == 43 || next == 60) {
        if (walk_end < off + 2 || walk_end < off + (d[off + 1] + 1u) * 8u) goto error;
        next = d[off];
        off += (d[off + 1] + 1u) * 8u;
      } else {
        return;
      }
    }
  } else {
    return;
  }
  if (ip_end > end) ip_end = end;
  if (ip_end < off + 8) goto error;
  unsigned sport = be16(d + off), dport = be16(d + off + 2);
  if (!is_vxlan(sport, dport)) return;
  unsigned udp_len = be16(d + off + 4), udp_end;
  if (udp_len == 0) {
    udp_end = ip_end;
  } else if (udp_len < 8) {
    goto error;
  } else {
    udp_end = off + udp_len < ip_end ? off + udp_len : ip_end;
  }
  off += 8;
  if (udp_end < off + 8) goto error;
  const u_char *vx = d + off;
  uint32_t vni = ((uint32_t)vx[4] << 16) | ((uint32_t)vx[5] << 8) | vx[6];
  unsigned i_flag = (vx[0] & 0x08) != 0;
  unsigned reserved = (vx[0] & ~0x08u) != 0 || vx[1] != 0 || vx[2] != 0 || vx[3] != 0 || vx[7] != 0;
  off += 8;
  vxlan_packets++;
  if (ver == 4) {
    pair_add4(vni, dport, be32(d + ip + 12), be32(d + ip + 16), len, ts);
  } else {
    pair_add6(vni, dport, d + ip + 8, d + ip + 24, len, ts);
  }
  struct vni_counters *c = count_vni(vni, i_flag, reserved, len, ts);
  /* Inner Ethernet and its tags */
  unsigned inner = off;
  if (udp_end < off + 14) goto error;
  unsigned iet = be16(d + off + 12);
  off += 14;
  while (iet == 0x8100 || iet == 0x88a8) {
    if (udp_end < off + 4) goto error;
    iet = be16(d + off + 2);
    off += 4;
  }
  if (c == NULL) return;
  const u_char *dmac = d + inner;
  if ((dmac[0] & 1) == 0) {
    c->unicast++;
  } else if ((dmac[0] & dmac[1] & dmac[2] & dmac[3] & dmac[4] & dmac[5]) == 0xff) {
    c->broadcast++;
  } else {
    c->multicast++;
  }
  count_ethertype(c, iet);
  struct inner_flow f;
  inner_flow(d, off, udp_end, iet, &f);
  if (f.arp_op == 1) {
    c->arp_requests++;
  } else if (f.arp_op == 2) {
    c->arp_replies++;
  }
  if (f.ip_version != 0) {
    c->protocols[f.protocol & 0xff]++;
    flow_add(vni, &f, len, ts);
  }
  u_char vtep[16];
  if (ver == 4) {
    memset(vtep, 0, 12);
    memcpy(vtep + 12, d + ip + 12, 4);
  } else {
    memcpy(vtep, d + ip + 8, 16);
  }
  mac_see(vni, d + inner + 6, vtep, ts);
  return;
error:
  decode_errors++;
}

static void print_vnis(void) {
  for (unsigned i = 0; i < n_vnis; i++) {
    const struct vni_counters *c = &vni_counters[i];
    fprintf(stderr,
            "{\"vni\":%u,\"packets\":%llu,\"bytes\":%llu,\"broadcast\":%llu,\"multicast\":%llu,\"unicast\":%llu,"
            "\"arpRequests\":%llu,\"arpReplies\":%llu,\"innerEthertypes\":{\"0x0800\":%llu,\"0x86dd\":%llu,\"0x0806\":%llu",
            c->vni, (unsigned long long)c->packets, (unsigned long long)c->bytes, (unsigned long long)c->broadcast,
            (unsigned long long)c->multicast, (unsigned long long)c->unicast, (unsigned long long)c->arp_requests,
            (unsigned long long)c->arp_replies, (unsigned long long)c->et_ipv4, (unsigned long long)c->et_ipv6,
            (unsigned long long)c->et_arp);
    for (unsigned j = 0; j < c->n_other_et; j++) {
      fprintf(stderr, ",\"0x%04x\":%llu", c->other_et[j], (unsigned long long)c->other_et_count[j]);
    }
    fprintf(stderr, "},\"ipProtocols\":{");
    const char *sep = "";
    for (unsigned p = 0; p < 256; p++) {
      if (c->protocols[p] != 0) {
        fprintf(stderr, "%s\"%u\":%llu", sep, p, (unsigned long long)c->protocols[p]);
        sep = ",";
      }
    }
    fprintf(stderr, "},\"sizes\":[");
    for (unsigned b = 0; b < 8; b++) fprintf(stderr, "%s%llu", b ? "," : "", (unsigned long long)c->sizes[b]);
    fprintf(stderr, "],\"noIFlag\":%llu,\"reservedBits\":%llu}\n", (unsigned long long)c->no_i_flag,
            (unsigned long long)c->reserved_bits);
  }
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--vnis") != 0)) {
    fprintf(stderr, "usage: %s FILE [--vnis]\n", argv[0]);
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *pc = pcap_open_offline(argv[1], err);
  if (pc == NULL) {
    fprintf(stderr, "vxagg: %s\n", err);
    return 1;
  }
  if (pcap_datalink(pc) != DLT_EN10MB) {
    fprintf(stderr, "vxagg: not Ethernet\n");
    return 1;
  }
  port_code[4789] = port_code[8472] = PORT_VXLAN;
  port_code[4790] = port_code[6081] = PORT_OTHER;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct pcap_pkthdr *h;
  const u_char *d;
  int rc;
  while ((rc = pcap_next_ex(pc, &h, &d)) == 1) packet(h, d);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rc == -1) {
    fprintf(stderr, "vxagg: %s\n", pcap_geterr(pc));
    return 1;
  }
  pcap_close(pc);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("{\"packets\":%llu,\"vxlanPackets\":%llu,\"bytes\":%llu,\"vnis\":%u,\"vniOverflow\":%llu,\"decodeErrors\":%llu,"
         "\"flowsTracked\":%llu,\"flowEvictions\":%llu,\"pairs\":%u,\"pairEvictions\":%llu,\"macs\":%llu,"
         "\"macEvictions\":%llu,\"macMoves\":%llu,\"loopSeconds\":%.6f}\n",
         (unsigned long long)packets, (unsigned long long)vxlan_packets, (unsigned long long)bytes, n_vnis,
         (unsigned long long)vni_overflow, (unsigned long long)decode_errors, (unsigned long long)flows_tracked,
         (unsigned long long)flow_evictions, n_pairs + n_pairs6, (unsigned long long)pair_evictions,
         (unsigned long long)n_macs, (unsigned long long)mac_evictions, (unsigned long long)mac_move_count, s);
  if (argc == 3) print_vnis();
  return 0;
}
