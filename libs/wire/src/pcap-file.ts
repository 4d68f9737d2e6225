// Capture file readers over plain bytes: classic pcap (draft-ietf-opsawg-pcap §4, §5) and
// pcapng (draft-ietf-opsawg-pcapng §4). Both byte orders; microsecond and nanosecond pcap.
//
// Classic pcap: a 24-byte file header, then per packet a 16-byte record header and the data.
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Magic Number (a1b2c3d4 µs / a1b23c4d ns)             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |       Major Version (2)       |       Minor Version (4)       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                   Reserved1 | Reserved2 (8 bytes)             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                            SnapLen                            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | FCS |F|   (reserved)          |           LinkType            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Record: Timestamp (seconds) | Timestamp (µs or ns) | Captured Packet Length | Original Packet Length
//
// pcapng: a sequence of blocks, each
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                          Block Type                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      Block Total Length                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// /                          Block Body                           /
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      Block Total Length                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Section Header (0x0a0d0d0a, byte-order magic 0x1a2b3c4d sets the section's byte order),
// Interface Description (1: LinkType, SnapLen, if_tsresol option), Enhanced Packet (6),
// Simple Packet (3) and the obsolete Packet block (2) are read; other blocks are skipped.
import { DecodeError, type DecodeErrorLayer } from './decode-error';

export type PcapFormat = 'pcap' | 'pcapng';

/**
 * Called once per packet. `buf` is only valid during the call (it may be the parser's reusable
 * carry-over buffer): decode synchronously and copy what must be kept.
 * `tsNsec` is the nanosecond part of the timestamp, whatever the file's resolution.
 */
export type PcapPacketHandler = (
  buf: Uint8Array,
  offset: number,
  capturedLength: number,
  originalLength: number,
  linkType: number,
  tsSec: number,
  tsNsec: number,
) => void;

const PCAP_FILE_HEADER_LENGTH = 24;
const PCAP_RECORD_HEADER_LENGTH = 16;
const PCAPNG_MIN_BLOCK_LENGTH = 12;
/** Guard against corrupt lengths making a stream buffer without bound. */
const MAX_UNIT_LENGTH = 16 * 1024 * 1024;

const MAGIC_MICROS = 0xa1b2c3d4;
const MAGIC_NANOS = 0xa1b23c4d;
const MAGIC_MICROS_SWAPPED = 0xd4c3b2a1;
const MAGIC_NANOS_SWAPPED = 0x4d3cb2a1;
const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const OPTION_IF_TSRESOL = 9;

interface PcapngInterface {
  readonly linkType: number;
  readonly snapLength: number;
  /** Timestamp units per second, from if_tsresol (default 10^6). */
  readonly unitsPerSecond: number;
}

function read16(buf: Uint8Array, off: number, le: boolean): number {
  return le ? buf[off] | (buf[off + 1] << 8) : (buf[off] << 8) | buf[off + 1];
}

function read32(buf: Uint8Array, off: number, le: boolean): number {
  return le
    ? (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16)) + buf[off + 3] * 0x1000000
    : buf[off] * 0x1000000 + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
}

/**
 * The format state machine shared by the whole-file reader and the streaming parser. It works on
 * "units" (the file header, a pcap record, a pcapng block): `headerNeed()` bytes tell the unit's
 * size, and `consume()` applies one complete unit.
 */
class PcapFormatState {
  format: PcapFormat | undefined;
  /** Byte order of the file (pcap) or current section (pcapng). */
  littleEndian = true;
  /** pcap: fractions are nanoseconds (else microseconds). Read by PcapStreamParser's record loop. */
  nanoseconds = false;
  private interfaces: PcapngInterface[] = [];
  /** Stream offset of the next unit, for error messages. */
  position = 0;

  packetOffset = 0;
  capturedLength = 0;
  originalLength = 0;
  /** Link type of the current packet; before the first packet, of the file / first interface. */
  linkType = -1;
  interfaceId = 0;
  tsSec = 0;
  tsNsec = 0;

  private get layer(): DecodeErrorLayer {
    return this.format ?? 'pcap';
  }

  /** Bytes needed to know the size of the next unit. */
  headerNeed(): number {
    if (this.format === 'pcap') {
      return PCAP_RECORD_HEADER_LENGTH;
    }
    // A pcapng SHB is at least 28 bytes, so the 24 bytes that settle the format are always there.
    return this.format === 'pcapng' ? PCAPNG_MIN_BLOCK_LENGTH : PCAP_FILE_HEADER_LENGTH;
  }

  /** Size of the unit at `off`, from its first `headerNeed()` bytes; does not change state. */
  unitSize(buf: Uint8Array, off: number): number {
    if (this.format === 'pcap') {
      const capturedLength = read32(buf, off + 8, this.littleEndian);
      if (capturedLength > MAX_UNIT_LENGTH) {
        throw new DecodeError('pcap', 'bad-length', this.position, MAX_UNIT_LENGTH, capturedLength);
      }
      return PCAP_RECORD_HEADER_LENGTH + capturedLength;
    }
    const magic = read32(buf, off, true);
    if (this.format === undefined && magic !== BLOCK_SHB) {
      if (
        magic === MAGIC_MICROS ||
        magic === MAGIC_NANOS ||
        magic === MAGIC_MICROS_SWAPPED ||
        magic === MAGIC_NANOS_SWAPPED
      ) {
        return PCAP_FILE_HEADER_LENGTH;
      }
      throw new DecodeError('pcap', 'bad-magic', this.position, MAGIC_MICROS, magic);
    }
    const le = magic === BLOCK_SHB ? this.sectionByteOrder(buf, off) : this.littleEndian;
    const length = read32(buf, off + 4, le);
    if (length < PCAPNG_MIN_BLOCK_LENGTH || length % 4 !== 0 || length > MAX_UNIT_LENGTH) {
      throw new DecodeError('pcapng', 'bad-block-length', this.position, PCAPNG_MIN_BLOCK_LENGTH, length);
    }
    return length;
  }

  /** Applies the complete unit at `off`; true when it is a packet (the packet fields are then set). */
  consume(buf: Uint8Array, off: number, size: number): boolean {
    try {
      if (this.format === 'pcap') {
        this.readPcapRecord(buf, off, size);
        return true;
      }
      if (this.format === undefined && read32(buf, off, true) !== BLOCK_SHB) {
        this.readPcapFileHeader(buf, off);
        return false;
      }
      return this.readPcapngBlock(buf, off, size);
    } finally {
      this.position += size;
    }
  }

  private readPcapFileHeader(buf: Uint8Array, off: number): void {
    const magic = read32(buf, off, true);
    this.littleEndian = magic === MAGIC_MICROS || magic === MAGIC_NANOS;
    this.nanoseconds = magic === MAGIC_NANOS || magic === MAGIC_NANOS_SWAPPED;
    const major = read16(buf, off + 4, this.littleEndian);
    if (major !== 2) {
      throw new DecodeError('pcap', 'bad-version', this.position, 2, major);
    }
    // The upper bits carry FCS information; libpcap's LT_LINKTYPE() keeps the low 26.
    this.linkType = read32(buf, off + 20, this.littleEndian) & 0x03ffffff;
    this.format = 'pcap';
  }

  private readPcapRecord(buf: Uint8Array, off: number, size: number): void {
    const le = this.littleEndian;
    const fraction = read32(buf, off + 4, le);
    this.tsSec = read32(buf, off, le);
    this.tsNsec = this.nanoseconds ? fraction : fraction * 1000;
    this.capturedLength = size - PCAP_RECORD_HEADER_LENGTH;
    this.originalLength = read32(buf, off + 12, le);
    this.packetOffset = off + PCAP_RECORD_HEADER_LENGTH;
  }

  private sectionByteOrder(buf: Uint8Array, off: number): boolean {
    const bom = read32(buf, off + 8, true);
    if (bom === BYTE_ORDER_MAGIC) {
      return true;
    }
    if (bom === BYTE_ORDER_MAGIC_SWAPPED) {
      return false;
    }
    throw new DecodeError('pcapng', 'bad-magic', this.position, BYTE_ORDER_MAGIC, bom);
  }

  private readPcapngBlock(buf: Uint8Array, off: number, size: number): boolean {
    const type = read32(buf, off, this.littleEndian);
    if (type === BLOCK_SHB) {
      this.littleEndian = this.sectionByteOrder(buf, off);
      this.interfaces = [];
      this.format = 'pcapng';
    }
    const le = this.littleEndian;
    if (read32(buf, off + size - 4, le) !== size) {
      throw new DecodeError('pcapng', 'bad-block-length', this.position, size, read32(buf, off + size - 4, le));
    }
    switch (type) {
      case BLOCK_IDB:
        this.readInterface(buf, off, size);
        return false;
      case BLOCK_EPB:
      case BLOCK_PB: {
        this.needBody(size, 32);
        const id = type === BLOCK_EPB ? read32(buf, off + 8, le) : read16(buf, off + 8, le);
        const iface = this.interfaceAt(id);
        const capturedLength = read32(buf, off + 20, le);
        this.needBody(size, 32 + capturedLength);
        this.setTimestamp(read32(buf, off + 12, le), read32(buf, off + 16, le), iface.unitsPerSecond);
        this.setPacket(id, iface, off + 28, capturedLength, read32(buf, off + 24, le));
        return true;
      }
      case BLOCK_SPB: {
        this.needBody(size, 16);
        const iface = this.interfaceAt(0);
        const originalLength = read32(buf, off + 8, le);
        let capturedLength = Math.min(originalLength, size - 16);
        if (iface.snapLength > 0 && capturedLength > iface.snapLength) {
          capturedLength = iface.snapLength;
        }
        // Simple Packet Blocks carry no timestamp.
        this.tsSec = 0;
        this.tsNsec = 0;
        this.setPacket(0, iface, off + 12, capturedLength, originalLength);
        return true;
      }
      default:
        return false;
    }
  }

  private readInterface(buf: Uint8Array, off: number, size: number): void {
    this.needBody(size, 20);
    const le = this.littleEndian;
    let unitsPerSecond = 1e6;
    const end = off + size - 4;
    for (let pos = off + 16; pos + 4 <= end;) {
      const code = read16(buf, pos, le);
      const length = read16(buf, pos + 2, le);
      if (code === 0 || pos + 4 + length > end) {
        break;
      }
      if (code === OPTION_IF_TSRESOL && length >= 1) {
        const v = buf[pos + 4];
        unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      }
      pos += 4 + ((length + 3) & ~3);
    }
    const linkType = read16(buf, off + 8, le);
    this.interfaces.push({ linkType, snapLength: read32(buf, off + 12, le), unitsPerSecond });
    if (this.linkType < 0) {
      this.linkType = linkType;
    }
  }

  private interfaceAt(id: number): PcapngInterface {
    const iface = this.interfaces[id];
    if (iface === undefined) {
      throw new DecodeError('pcapng', 'unknown-interface', this.position, this.interfaces.length, id);
    }
    return iface;
  }

  private needBody(size: number, needed: number): void {
    if (size < needed) {
      throw new DecodeError('pcapng', 'bad-length', this.position, needed, size);
    }
  }

  private setPacket(
    id: number,
    iface: PcapngInterface,
    dataOffset: number,
    capturedLength: number,
    originalLength: number,
  ): void {
    this.interfaceId = id;
    this.linkType = iface.linkType;
    this.packetOffset = dataOffset;
    this.capturedLength = capturedLength;
    this.originalLength = originalLength;
  }

  /** Splits a 64-bit count of 1/unitsPerSecond units into seconds and nanoseconds without BigInt. */
  private setTimestamp(high: number, low: number, unitsPerSecond: number): void {
    let seconds: number;
    let remainder: number;
    if (high < 0x200000) {
      const units = high * 0x100000000 + low; // below 2^53: exact
      seconds = Math.floor(units / unitsPerSecond);
      remainder = units - seconds * unitsPerSecond;
    } else {
      // Long division in 16-bit digits keeps every intermediate below 2^53 for divisors up to 2^37.
      seconds = 0;
      remainder = 0;
      for (let shift = 48; shift >= 0; shift -= 16) {
        const digit = shift >= 32 ? (high >>> (shift - 32)) & 0xffff : (low >>> shift) & 0xffff;
        const current = remainder * 0x10000 + digit;
        const q = Math.floor(current / unitsPerSecond);
        seconds = seconds * 0x10000 + q;
        remainder = current - q * unitsPerSecond;
      }
    }
    this.tsSec = seconds;
    this.tsNsec =
      unitsPerSecond <= 1e9 && 1e9 % unitsPerSecond === 0
        ? remainder * (1e9 / unitsPerSecond)
        : Math.floor((remainder / unitsPerSecond) * 1e9);
  }
}

/**
 * Iterates over the packets of a capture file held in memory, without allocating per packet.
 * The current packet is `bytes[packetOffset, packetOffset + capturedLength)`.
 *
 * @example
 * const sut = new PcapFileReader(bytes);
 * while (sut.next()) decodeVxlanFrame(sut.bytes, sut.packetOffset, sut.capturedLength, sut.linkType, ports, info);
 */
export class PcapFileReader {
  private readonly state = new PcapFormatState();
  private position = 0;
  private pending = false;

  /** @throws DecodeError when the file header is missing or not pcap/pcapng */
  constructor(readonly bytes: Uint8Array) {
    // Read up to the first packet so `format` and `linkType` are known before `next()`.
    this.pending = this.advance();
  }

  /** 'pcap' or 'pcapng'. */
  get format(): PcapFormat {
    return this.state.format ?? 'pcap';
  }

  /** Link type of the current packet (pcap: the file's; pcapng: its interface's). */
  get linkType(): number {
    return this.state.linkType;
  }

  /** pcapng interface of the current packet (always 0 for pcap). */
  get interfaceId(): number {
    return this.state.interfaceId;
  }

  get packetOffset(): number {
    return this.state.packetOffset;
  }

  get capturedLength(): number {
    return this.state.capturedLength;
  }

  get originalLength(): number {
    return this.state.originalLength;
  }

  get tsSec(): number {
    return this.state.tsSec;
  }

  /** Nanoseconds within `tsSec`, whatever the file's timestamp resolution. */
  get tsNsec(): number {
    return this.state.tsNsec;
  }

  /**
   * Moves to the next packet.
   * @returns false at the end of the file
   * @throws DecodeError when the file is corrupt or ends inside a record
   */
  next(): boolean {
    if (this.pending) {
      this.pending = false;
      return true;
    }
    return this.advance();
  }

  private advance(): boolean {
    const bytes = this.bytes;
    const state = this.state;
    for (;;) {
      const available = bytes.length - this.position;
      if (available === 0 && state.format !== undefined) {
        return false;
      }
      const headerNeed = state.headerNeed();
      if (available < headerNeed) {
        throw new DecodeError(state.format ?? 'pcap', 'truncated', this.position, headerNeed, available);
      }
      const size = state.unitSize(bytes, this.position);
      if (available < size) {
        throw new DecodeError(state.format ?? 'pcap', 'truncated', this.position, size, available);
      }
      const isPacket = state.consume(bytes, this.position, size);
      this.position += size;
      if (isPacket) {
        return true;
      }
    }
  }
}

/**
 * Parses a capture file fed in chunks of any size (e.g. from an fs read stream), calling `onPacket`
 * for each whole packet. Packets inside a chunk are passed as views of the chunk; only a packet split
 * across chunks is copied, into a reusable carry-over buffer.
 *
 * @example
 * const sut = new PcapStreamParser((buf, off, caplen, len, linkType) => decodeVxlanFrame(buf, off, caplen, linkType, ports, info));
 * for await (const chunk of fs.createReadStream(path)) sut.push(chunk);
 * sut.end();
 */
export class PcapStreamParser {
  private readonly state = new PcapFormatState();
  private carry = new Uint8Array(0);
  private carryLength = 0;
  private packetCount = 0;

  constructor(private readonly onPacket: PcapPacketHandler) {}

  /** 'pcap' or 'pcapng' once the header has been seen. */
  get format(): PcapFormat | undefined {
    return this.state.format;
  }

  /** Packets delivered so far. */
  get packets(): number {
    return this.packetCount;
  }

  /** Bytes held back waiting for the rest of a unit. */
  get bufferedBytes(): number {
    return this.carryLength;
  }

  /**
   * Goes on at stream offset `position` of the same classic pcap file: for a reader that was given the
   * file header and continues at a record start further in (see `findPcapRecordStart`). Only between
   * records, so positions in error messages stay those of the whole file.
   */
  resumeAt(position: number): void {
    if (this.state.format !== 'pcap' || this.carryLength > 0) {
      throw new Error('PcapStreamParser.resumeAt: only after a classic pcap header, between records');
    }
    this.state.position = position;
  }

  /**
   * Feeds the next chunk; calls `onPacket` synchronously for every packet it completes.
   * @throws DecodeError when the data is not a valid pcap/pcapng stream
   */
  push(chunk: Uint8Array): void {
    const state = this.state;
    let pos = 0;
    if (this.carryLength > 0) {
      const headerNeed = state.headerNeed();
      pos = this.fill(chunk, pos, headerNeed);
      if (this.carryLength < headerNeed) {
        return;
      }
      const size = state.unitSize(this.carry, 0);
      pos = this.fill(chunk, pos, size);
      if (this.carryLength < size) {
        return;
      }
      this.carryLength = 0;
      this.emit(this.carry, 0, size);
    }
    for (;;) {
      if (state.format === 'pcap') {
        pos = this.pcapRecords(chunk, pos);
      }
      const available = chunk.length - pos;
      if (available === 0 || available < state.headerNeed()) {
        break;
      }
      const size = state.unitSize(chunk, pos);
      if (available < size) {
        break;
      }
      this.emit(chunk, pos, size);
      pos += size;
    }
    this.fill(chunk, pos, this.carryLength + chunk.length - pos);
  }

  /**
   * Declares the end of the input.
   * @throws DecodeError (`truncated`) when the input ended inside the header or a record
   */
  end(): void {
    const state = this.state;
    if (this.carryLength > 0 || state.format === undefined) {
      const headerNeed = state.headerNeed();
      const needed = this.carryLength >= headerNeed ? state.unitSize(this.carry, 0) : headerNeed;
      throw new DecodeError(state.format ?? 'pcap', 'truncated', state.position, needed, this.carryLength);
    }
  }

  /**
   * The common case, classic pcap: delivers the complete records from `pos` in one tight loop (what
   * emit() and consume() would do, minus the per-record dispatch). Stops before a record that is cut
   * off or has a bad length; push() then carries or rejects it. Returns the new `pos`.
   */
  private pcapRecords(chunk: Uint8Array, pos: number): number {
    const s = this.state;
    const le = s.littleEndian;
    const nanoseconds = s.nanoseconds;
    const linkType = s.linkType;
    const onPacket = this.onPacket;
    const length = chunk.length;
    while (length - pos >= PCAP_RECORD_HEADER_LENGTH) {
      const capturedLength = read32(chunk, pos + 8, le);
      const size = PCAP_RECORD_HEADER_LENGTH + capturedLength;
      if (capturedLength > MAX_UNIT_LENGTH || length - pos < size) {
        break;
      }
      const tsSec = read32(chunk, pos, le);
      const fraction = read32(chunk, pos + 4, le);
      const originalLength = read32(chunk, pos + 12, le);
      s.position += size;
      this.packetCount++;
      onPacket(chunk, pos + PCAP_RECORD_HEADER_LENGTH, capturedLength, originalLength, linkType, tsSec, nanoseconds ? fraction : fraction * 1000);
      pos += size;
    }
    return pos;
  }

  private emit(buf: Uint8Array, offset: number, size: number): void {
    const s = this.state;
    if (s.consume(buf, offset, size)) {
      this.packetCount++;
      this.onPacket(buf, s.packetOffset, s.capturedLength, s.originalLength, s.linkType, s.tsSec, s.tsNsec);
    }
  }

  /** Copies bytes of `chunk` from `pos` into the carry buffer until it holds `target` bytes; returns the new `pos`. */
  private fill(chunk: Uint8Array, pos: number, target: number): number {
    const take = Math.min(target - this.carryLength, chunk.length - pos);
    if (take <= 0) {
      return pos;
    }
    if (this.carryLength + take > this.carry.length) {
      const grown = new Uint8Array(Math.max(target, this.carry.length * 2, 4096));
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(chunk.subarray(pos, pos + take), this.carryLength);
    this.carryLength += take;
    return pos + take;
  }
}

/** What a classic pcap file header says about its records (for finding record starts mid-file). */
export interface PcapRecordLayout {
  readonly littleEndian: boolean;
  readonly nanoseconds: boolean;
  /** SnapLen of the file header; 0 when the header gives none. */
  readonly snaplen: number;
}

/**
 * The record layout of a classic pcap file from its 24-byte header, or undefined when `buf` does not
 * start with a classic pcap header (pcapng, too short, not a capture).
 */
export function pcapRecordLayout(buf: Uint8Array): PcapRecordLayout | undefined {
  if (buf.length < PCAP_FILE_HEADER_LENGTH) {
    return undefined;
  }
  const magic = read32(buf, 0, true);
  const littleEndian = magic === MAGIC_MICROS || magic === MAGIC_NANOS;
  if (!littleEndian && magic !== MAGIC_MICROS_SWAPPED && magic !== MAGIC_NANOS_SWAPPED) {
    return undefined;
  }
  if (read16(buf, 4, littleEndian) !== 2) {
    return undefined;
  }
  return {
    littleEndian,
    nanoseconds: magic === MAGIC_NANOS || magic === MAGIC_NANOS_SWAPPED,
    snaplen: read32(buf, 16, littleEndian),
  };
}

/** Seconds two neighbouring records may differ by and still look like one capture. */
const RESYNC_MAX_TIME_STEP = 3600;

/**
 * Classic pcap has no record marker, so a reader that starts in the middle of a file must guess
 * where a record begins: the first offset from `from` where `chain` consecutive record headers
 * (or as many as fit before the end of `buf`, at least two) are plausible — captured length within
 * the snap length and not above the original length, sub-second part below one second, timestamps
 * within an hour of each other. Returns -1 when no offset qualifies.
 *
 * A guess, not a proof: a caller must check it, e.g. by parsing up to it from a known record start
 * and landing on it exactly (`vxscope read` does, and falls back to one sequential pass if not).
 */
export function findPcapRecordStart(buf: Uint8Array, from: number, layout: PcapRecordLayout, chain = 8): number {
  const le = layout.littleEndian;
  const maxCaplen = layout.snaplen > 0 && layout.snaplen < MAX_UNIT_LENGTH ? layout.snaplen : MAX_UNIT_LENGTH;
  const maxFraction = layout.nanoseconds ? 1e9 : 1e6;
  const plausible = (p: number): boolean => {
    // Empty records are legal but rare; zero-filled payload would look like a chain of them.
    const caplen = read32(buf, p + 8, le);
    return caplen > 0 && caplen <= maxCaplen && caplen <= read32(buf, p + 12, le) && read32(buf, p + 4, le) < maxFraction;
  };
  for (let start = from; start + PCAP_RECORD_HEADER_LENGTH <= buf.length; start++) {
    let p = start;
    let seen = 0;
    let previousSec = -1;
    while (seen < chain && p + PCAP_RECORD_HEADER_LENGTH <= buf.length && plausible(p)) {
      const sec = read32(buf, p, le);
      if (previousSec >= 0 && Math.abs(sec - previousSec) > RESYNC_MAX_TIME_STEP) {
        break;
      }
      previousSec = sec;
      seen++;
      p += PCAP_RECORD_HEADER_LENGTH + read32(buf, p + 8, le);
    }
    const cutOff = p + PCAP_RECORD_HEADER_LENGTH > buf.length;
    if (seen >= chain || (cutOff && seen >= 2)) {
      return start;
    }
  }
  return -1;
}
