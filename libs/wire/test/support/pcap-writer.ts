// Test-only capture file writers, the inverse of PcapFileReader.

export interface PacketRecord {
  readonly data: Uint8Array;
  readonly tsSec?: number;
  /** Nanoseconds within the second (written as µs for microsecond files). */
  readonly tsNsec?: number;
  /** Original length; defaults to data.length. */
  readonly originalLength?: number;
  /** pcapng interface index (default 0). */
  readonly interfaceId?: number;
}

export interface PcapWriteOptions {
  readonly bigEndian?: boolean;
  readonly nanoseconds?: boolean;
  readonly snapLength?: number;
}

class ByteWriter {
  private readonly bytes: number[] = [];
  constructor(private readonly bigEndian: boolean) {}
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.bigEndian ? this.u8(v >> 8).u8(v) : this.u8(v).u8(v >> 8);
  }
  u32(v: number): this {
    return this.bigEndian
      ? this.u8(v >>> 24)
          .u8(v >>> 16)
          .u8(v >>> 8)
          .u8(v)
      : this.u8(v)
          .u8(v >>> 8)
          .u8(v >>> 16)
          .u8(v >>> 24);
  }
  raw(data: Uint8Array): this {
    for (const b of data) {
      this.bytes.push(b);
    }
    return this;
  }
  pad4(): this {
    while (this.bytes.length % 4 !== 0) {
      this.bytes.push(0);
    }
    return this;
  }
  get length(): number {
    return this.bytes.length;
  }
  toUint8Array(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Writes a classic pcap file (either byte order, µs or ns timestamps). */
export function writePcap(
  packets: readonly (Uint8Array | PacketRecord)[],
  linkType: number,
  options: PcapWriteOptions = {},
): Uint8Array {
  const w = new ByteWriter(options.bigEndian ?? false);
  w.u32(options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0);
  w.u32(options.snapLength ?? 262144).u32(linkType);
  for (const p of packets) {
    const r: PacketRecord = p instanceof Uint8Array ? { data: p } : p;
    const nsec = r.tsNsec ?? 0;
    w.u32(r.tsSec ?? 0).u32(options.nanoseconds ? nsec : Math.floor(nsec / 1000));
    w.u32(r.data.length)
      .u32(r.originalLength ?? r.data.length)
      .raw(r.data);
  }
  return w.toUint8Array();
}

export interface PcapngInterfaceSpec {
  readonly linkType: number;
  readonly snapLength?: number;
  /** if_tsresol byte (default: option omitted, i.e. microseconds). */
  readonly tsresol?: number;
}

export interface PcapngWriteOptions {
  readonly bigEndian?: boolean;
  readonly interfaces: readonly PcapngInterfaceSpec[];
  /** Write Simple Packet Blocks instead of Enhanced Packet Blocks. */
  readonly simple?: boolean;
  /** Insert an unknown block type (must be skipped) before the packets. */
  readonly unknownBlock?: boolean;
}

function block(bigEndian: boolean, type: number, body: (w: ByteWriter) => void): Uint8Array {
  const inner = new ByteWriter(bigEndian);
  body(inner);
  inner.pad4();
  const length = inner.length + 12;
  return new ByteWriter(bigEndian).u32(type).u32(length).raw(inner.toUint8Array()).u32(length).toUint8Array();
}

/** pcapng's high and low 32-bit timestamp words for a time in 1/unitsPerSecond units (BigInt: ns counts exceed 2^53). */
function splitTimestamp(sec: number, nsec: number, unitsPerSecond: number): [number, number] {
  const units = BigInt(sec) * BigInt(unitsPerSecond) + BigInt(Math.floor((nsec * unitsPerSecond) / 1e9));
  return [Number(units >> 32n), Number(units & 0xffffffffn)];
}

/** Writes a pcapng section: SHB, IDBs, then EPBs (or SPBs). Timestamps use each interface's resolution. */
export function writePcapng(packets: readonly (Uint8Array | PacketRecord)[], options: PcapngWriteOptions): Uint8Array {
  const be = options.bigEndian ?? false;
  const parts: Uint8Array[] = [];
  parts.push(
    block(be, 0x0a0d0d0a, (w) => {
      w.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff);
      w.u16(4).u16(5).raw(new TextEncoder().encode('vxwire')).pad4().u16(0).u16(0); // shb_userappl, endofopt
    }),
  );
  for (const iface of options.interfaces) {
    parts.push(
      block(be, 1, (w) => {
        w.u16(iface.linkType)
          .u16(0)
          .u32(iface.snapLength ?? 0);
        if (iface.tsresol !== undefined) {
          w.u16(9).u16(1).u8(iface.tsresol).pad4();
        }
        w.u16(0).u16(0);
      }),
    );
  }
  if (options.unknownBlock) {
    parts.push(block(be, 0x0bad, (w) => w.u32(0xdeadbeef)));
  }
  for (const p of packets) {
    const r: PacketRecord = p instanceof Uint8Array ? { data: p } : p;
    if (options.simple) {
      parts.push(block(be, 3, (w) => w.u32(r.originalLength ?? r.data.length).raw(r.data)));
      continue;
    }
    const id = r.interfaceId ?? 0;
    const tsresol = options.interfaces[id].tsresol ?? 6;
    const unitsPerSecond = tsresol & 0x80 ? 2 ** (tsresol & 0x7f) : 10 ** tsresol;
    const sec = r.tsSec ?? 0;
    const nsec = r.tsNsec ?? 0;
    const [high, low] = splitTimestamp(sec, nsec, unitsPerSecond);
    parts.push(
      block(be, 6, (w) => {
        w.u32(id)
          .u32(high)
          .u32(low)
          .u32(r.data.length)
          .u32(r.originalLength ?? r.data.length)
          .raw(r.data);
      }),
    );
  }
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let off = 0;
  for (const b of parts) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}
