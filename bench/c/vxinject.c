/*
 * Live benchmark injector: replays the frames of a pcap file onto one interface at a fixed packet
 * rate, for a bounded number of packets and a bounded time. AF_PACKET raw socket with
 * PACKET_QDISC_BYPASS, frames sent in batches with sendmmsg(2). Meant to run inside a network
 * namespace the benchmark made (ip netns exec NS vxinject …): it sends only on the interface named.
 *
 *   vxinject IFACE FILE PPS PACKETS MAX_SECONDS [CPU]
 *
 * Prints one JSON line: sent, failed, seconds, pps, frames, utime and stime (its own CPU seconds).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s IFACE FILE PPS PACKETS MAX_SECONDS [CPU]\n", argv[0]);
    return 2;
  }
  const char *ifname = argv[1];
  double pps = atof(argv[3]);
  uint64_t total = strtoull(argv[4], NULL, 10);
  double max_seconds = atof(argv[5]);
  if (pps <= 0 || max_seconds <= 0 || max_seconds > 600) {
    fprintf(stderr, "vxinject: bad rate or duration\n");
    return 2;
  }
  if (argc > 6) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(atoi(argv[6]), &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) perror("vxinject: sched_setaffinity");
  }

  /* Load every frame of the file into one block. */
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *pc = pcap_open_offline(argv[2], err);
  if (!pc) {
    fprintf(stderr, "vxinject: %s\n", err);
    return 1;
  }
  size_t cap = 1 << 20, used = 0, nframes = 0, fcap = 1 << 16;
  unsigned char *data = malloc(cap);
  size_t *foff = malloc(fcap * sizeof *foff);
  unsigned *flen = malloc(fcap * sizeof *flen);
  struct pcap_pkthdr *h;
  const u_char *d;
  while (pcap_next_ex(pc, &h, &d) == 1) {
    if (used + h->caplen > cap) {
      while (used + h->caplen > cap) cap *= 2;
      data = realloc(data, cap);
    }
    if (nframes == fcap) {
      fcap *= 2;
      foff = realloc(foff, fcap * sizeof *foff);
      flen = realloc(flen, fcap * sizeof *flen);
    }
    if (!data || !foff || !flen) {
      fprintf(stderr, "vxinject: out of memory\n");
      return 1;
    }
    memcpy(data + used, d, h->caplen);
    foff[nframes] = used;
    flen[nframes] = h->caplen;
    used += h->caplen;
    nframes++;
  }
  pcap_close(pc);
  if (nframes == 0) {
    fprintf(stderr, "vxinject: no frames\n");
    return 1;
  }

  int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, receive nothing */
  if (fd < 0) {
    perror("vxinject: socket");
    return 1;
  }
  int one = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0) perror("vxinject: PACKET_QDISC_BYPASS");
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)if_nametoindex(ifname);
  sll.sll_protocol = htons(ETH_P_ALL);
  if (sll.sll_ifindex == 0) {
    fprintf(stderr, "vxinject: no interface %s\n", ifname);
    return 1;
  }
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
    perror("vxinject: bind");
    return 1;
  }

  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  uint64_t sent = 0, failed = 0;
  size_t next = 0;
  double t0 = now(), deadline = t0 + max_seconds, t = t0;
  while (sent + failed < total && t < deadline) {
    /* Pace: never ahead of rate × elapsed (send at most one batch early). */
    double due = t0 + (double)(sent + failed) / pps;
    while ((t = now()) < due - (double)BATCH / pps) {
      if (due - t > 200e-6) {
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
      }
    }
    uint64_t left = total - sent - failed;
    int n = left < BATCH ? (int)left : BATCH;
    for (int i = 0; i < n; i++) {
      iov[i].iov_base = data + foff[next];
      iov[i].iov_len = flen[next];
      if (++next == nframes) next = 0;
    }
    int off = 0, tries = 0;
    while (off < n) {
      int r = sendmmsg(fd, msgs + off, (unsigned)(n - off), 0);
      if (r < 0) {
        if ((errno == ENOBUFS || errno == EAGAIN) && ++tries < 1000) continue;
        failed += (uint64_t)(n - off);
        break;
      }
      off += r;
      sent += (uint64_t)r;
    }
  }
  double s = now() - t0;
  close(fd);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"sent\":%llu,\"failed\":%llu,\"seconds\":%.6f,\"pps\":%.0f,\"frames\":%zu,\"utime\":%.3f,\"stime\":%.3f}\n",
         (unsigned long long)sent, (unsigned long long)failed, s, (double)sent / s, nframes,
         (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6, (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
  return 0;
}
