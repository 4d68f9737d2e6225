// Parsing of skb:kfree_skb lines from a tracefs trace_pipe. The event's print format ends in
// `reason: %s` (__print_symbolic over enum skb_drop_reason), for example:
//   <idle>-0 [001] ..s2. 41.5: kfree_skb: skbaddr=… rx_sk=… protocol=2048 location=vxlan_rcv+0x2c4/0xb10 [vxlan] reason: VXLAN_VNI_NOT_FOUND

const REASON = /\breason: ([A-Z][A-Z0-9_]*)/;
const LOST = /\[LOST (\d+) EVENTS\]/;
/** A longer line is not a kfree_skb line; it is dropped rather than buffered. */
export const MAX_LINE_BYTES = 4096;
/** enum skb_drop_reason has about 130 names; anything beyond this many is counted as OTHER. */
const MAX_REASONS = 512;

/** The drop reason of one kfree_skb line, or undefined for any other line. */
export function parseDropReason(line: string): string | undefined {
  return line.includes('kfree_skb') ? REASON.exec(line)?.[1] : undefined;
}

/** Events the ring buffer lost (`CPU:1 [LOST 12 EVENTS]`), or 0. */
export function parseLostEvents(line: string): number {
  const m = LOST.exec(line);
  return m ? Number(m[1]) : 0;
}

/** `{ 2, "NOT_SPECIFIED" }` in the tracepoint's format file → 2; undefined when the name is not there. */
export function dropReasonValue(format: string, name: string): number | undefined {
  const m = new RegExp(`\\{ (\\d+), "${name}" \\}`).exec(format);
  return m ? Number(m[1]) : undefined;
}

/** Splits a byte stream into lines with bounded memory: an over-long partial line is discarded. */
export class LineSplitter {
  private partial = '';
  private skipping = false;
  /** Over-long lines discarded. */
  discarded = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        break;
      }
      const piece = text.slice(start, nl);
      if (this.skipping) {
        this.skipping = false;
      } else {
        this.onLine(this.partial + piece);
      }
      this.partial = '';
      start = nl + 1;
    }
    if (!this.skipping) {
      this.partial += text.slice(start);
      if (this.partial.length > MAX_LINE_BYTES) {
        this.partial = '';
        this.skipping = true;
        this.discarded++;
      }
    }
  }
}

/** Drops per reason, and the events the kernel's trace buffer lost. */
export class DropCounter {
  private readonly reasons = new Map<string, number>();
  lost = 0;

  line(line: string): void {
    const reason = parseDropReason(line);
    if (reason !== undefined) {
      const key = this.reasons.has(reason) || this.reasons.size < MAX_REASONS ? reason : 'OTHER';
      this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
      return;
    }
    this.lost += parseLostEvents(line);
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  }
}
