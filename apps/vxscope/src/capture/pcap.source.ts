import { Injectable } from '@nestjs/common';
import * as pcap from 'pcap';

/** tcpdump.org link-layer header type numbers for the names node_pcap reports. */
const LINK_TYPES: Readonly<Record<string, number>> = {
  LINKTYPE_NULL: 0,
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_RAW: 101,
  LINKTYPE_IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
};

/**
 * Called synchronously for each packet. `buf` is libpcap's reused buffer: it is only valid during the
 * call, so decode right here and copy whatever must outlive it.
 */
export type PacketHandler = (buf: Buffer, caplen: number, wirelen: number, tsSec: number, tsUsec: number) => void;

export interface LiveCaptureOptions {
  readonly filter: string;
  readonly snaplen: number;
  readonly bufferTimeoutMs: number;
  /** Kernel ring size in bytes. */
  readonly bufferSize: number;
}

export interface CaptureCounters {
  readonly received: number;
  readonly dropped: number;
  readonly ifDropped: number;
}

export interface CaptureHandle {
  readonly linkType: number;
  readonly linkTypeName: string;
  stats(): CaptureCounters;
  close(): void;
}

/** The only file that imports `pcap`: opens live sessions and hands raw packets to a synchronous handler. */
@Injectable()
export class PcapSource {
  openLive(device: string, options: LiveCaptureOptions, onPacket: PacketHandler, onError: (err: Error) => void): CaptureHandle {
    const session = pcap.createSession(device, {
      filter: options.filter,
      snap_length: options.snaplen,
      buffer_timeout: options.bufferTimeoutMs,
      buffer_size: options.bufferSize,
      promiscuous: false,
    });
    const linkTypeName: string = session.link_type;
    // node_pcap fills `header` with the native struct pcap_pkthdr: tv_sec, tv_usec, caplen, len (LE u32).
    session.on('packet', (raw: { buf: Buffer; header: Buffer }) => {
      const h = raw.header;
      try {
        onPacket(raw.buf, h.readUInt32LE(8), h.readUInt32LE(12), h.readUInt32LE(0), h.readUInt32LE(4));
      } catch (err) {
        // A throw out of this callback would unwind through native code and kill the process.
        onError(err instanceof Error ? err : new Error(String(err)));
      }
    });
    let open = true;
    return {
      linkType: LINK_TYPES[linkTypeName] ?? -1,
      linkTypeName,
      stats: () => {
        if (!open) {
          return { received: 0, dropped: 0, ifDropped: 0 };
        }
        const s = session.stats();
        return { received: s.ps_recv, dropped: s.ps_drop, ifDropped: s.ps_ifdrop };
      },
      close: () => {
        if (open) {
          open = false;
          session.close();
        }
      },
    };
  }
}
