import { DropCounter, dropReasonValue, LineSplitter, MAX_LINE_BYTES, parseDropReason, parseLostEvents } from './drop-reasons';

const LINE =
  '          <idle>-0       [001] ..s2.  4102.310516: kfree_skb: skbaddr=00000000a3f1c1e5 rx_sk=0000000000000000 protocol=2048 location=vxlan_rcv+0x2c4/0xb10 [vxlan] reason: VXLAN_VNI_NOT_FOUND';

describe('drop reasons', () => {
  it('should read the reason of a kfree_skb line and nothing from other lines', () => {
    expect(parseDropReason(LINE)).toBe('VXLAN_VNI_NOT_FOUND');
    expect(parseDropReason(LINE.replace('VXLAN_VNI_NOT_FOUND', 'NO_TX_TARGET'))).toBe('NO_TX_TARGET');
    expect(parseDropReason('   ping-1 [000] 1.0: consume_skb: skbaddr=0')).toBeUndefined();
    expect(parseLostEvents('CPU:1 [LOST 17 EVENTS]')).toBe(17);
    expect(parseLostEvents(LINE)).toBe(0);
  });

  it('should find the value of a reason in the format file', () => {
    const format = 'print fmt: "... reason: %s", __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" })';
    expect(dropReasonValue(format, 'NOT_SPECIFIED')).toBe(2);
    expect(dropReasonValue(format, 'NO_SOCKET')).toBe(3);
    expect(dropReasonValue(format, 'MISSING')).toBeUndefined();
  });

  it('should split chunks into lines across chunk borders and drop over-long lines without buffering them', () => {
    const lines: string[] = [];
    const sut = new LineSplitter((l) => lines.push(l));
    sut.push('ab');
    sut.push('c\nde');
    sut.push('f\n');
    sut.push('x'.repeat(MAX_LINE_BYTES + 10));
    sut.push('yyy\nok\n');
    expect(lines).toEqual(['abc', 'def', 'ok']);
    expect(sut.discarded).toBe(1);
  });

  it('should count drops per reason, most first, and lost events', () => {
    const sut = new DropCounter();
    sut.line(LINE);
    sut.line(LINE);
    sut.line(LINE.replace('VXLAN_VNI_NOT_FOUND', 'NO_SOCKET'));
    sut.line('CPU:0 [LOST 3 EVENTS]');
    expect(sut.counts()).toEqual({ VXLAN_VNI_NOT_FOUND: 2, NO_SOCKET: 1 });
    expect(Object.keys(sut.counts())).toEqual(['VXLAN_VNI_NOT_FOUND', 'NO_SOCKET']);
    expect(sut.lost).toBe(3);
  });
});
