import { formatIpv4, formatIpv6, formatMac } from '@vx/wire';

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function v6(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/[^0-9a-f]/g, ''), 'hex'));
}

describe(formatMac.name, () => {
  it('should print six lower-case, zero-padded hex bytes at the offset', () => {
    expect(formatMac(bytes(0xff, 0x00, 0x30, 0x88, 0x01, 0x00, 0x02, 0xab), 1)).toBe('00:30:88:01:00:02');
  });
});

describe(formatIpv4.name, () => {
  it.each([
    [0, '0.0.0.0'],
    [0xc0a8ca01, '192.168.202.1'],
    [0xffffffff, '255.255.255.255'],
    [0x7f000001, '127.0.0.1'],
  ])('should print %i as %s', (address, text) => {
    expect(formatIpv4(address)).toBe(text);
  });

  it('should print the 4 bytes at an offset', () => {
    expect(formatIpv4(bytes(9, 10, 0, 0, 1), 1)).toBe('10.0.0.1');
  });
});

describe(formatIpv6.name, () => {
  it.each([
    ['2001 0db8 0000 0000 0000 0000 0000 0001', '2001:db8::1'],
    ['0000 0000 0000 0000 0000 0000 0000 0000', '::'],
    ['0000 0000 0000 0000 0000 0000 0000 0001', '::1'],
    ['fe80 0000 0000 0000 0000 0000 0000 0000', 'fe80::'],
    ['2604 1380 4091 ce00 0000 0000 0000 000b', '2604:1380:4091:ce00::b'],
    // RFC 5952 §4.2.2: a single zero group is not shortened
    ['2001 0db8 0000 0001 0001 0001 0001 0001', '2001:db8:0:1:1:1:1:1'],
    // §4.2.3: the longest run wins, the first on a tie
    ['2001 0000 0000 0001 0000 0000 0000 0001', '2001:0:0:1::1'],
    ['2001 0db8 0000 0000 0001 0000 0000 0001', '2001:db8::1:0:0:1'],
    // §5: IPv4-mapped addresses
    ['0000 0000 0000 0000 0000 ffff c000 0201', '::ffff:192.0.2.1'],
  ])('should print %s as %s (RFC 5952)', (hex, text) => {
    const buf = new Uint8Array(20);
    buf.set(v6(hex), 3);

    expect(formatIpv6(buf, 3)).toBe(text);
  });
});
