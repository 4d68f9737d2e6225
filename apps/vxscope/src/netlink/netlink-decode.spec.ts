import {
  formatIp,
  formatMac,
  isMulticastIp,
  isStaticState,
  isUnspecifiedIp,
  neighFlagNames,
  neighStateNames,
  operStateName,
  readBe16,
  readPortRange,
  readU32,
  readU8,
} from './netlink-decode';

const bytes = (...b: number[]) => Uint8Array.from(b);
const ipv6 = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/[^0-9a-f]/g, ''), 'hex'));

describe('netlink-decode', () => {
  describe(formatMac.name, () => {
    it('should format Ethernet addresses as lower-case colon hex', () => {
      expect(formatMac(bytes(0x02, 0xab, 0x0c, 0, 0xff, 0x01))).toBe('02:ab:0c:00:ff:01');
    });

    it('should format any length', () => {
      expect(formatMac(bytes(0x0a, 0x63, 0, 1))).toBe('0a:63:00:01');
      expect(formatMac(bytes())).toBe('');
    });
  });

  describe(formatIp.name, () => {
    it('should format IPv4', () => {
      expect(formatIp(bytes(10, 99, 0, 254))).toBe('10.99.0.254');
    });

    it.each([
      ['fd00 0000 0000 0000 0000 0000 0000 0002', 'fd00::2'],
      ['0000 0000 0000 0000 0000 0000 0000 0001', '::1'],
      ['0000 0000 0000 0000 0000 0000 0000 0000', '::'],
      ['fe80 0000 0000 0000 0000 0000 0000 0000', 'fe80::'],
      ['2001 0db8 0000 0000 0001 0000 0000 0001', '2001:db8::1:0:0:1'],
      ['2001 0db8 0000 0001 0000 0000 0000 0001', '2001:db8:0:1::1'],
      ['2001 0db8 0001 0000 0001 0001 0001 0001', '2001:db8:1:0:1:1:1:1'],
      ['ff02 0000 0000 0000 0000 0001 ff00 00aB', 'ff02::1:ff00:ab'],
      ['0000 0000 0000 0000 0000 ffff 0a63 0001', '::ffff:10.99.0.1'],
      ['0000 0000 0000 0000 0000 0000 0a63 0001', '::10.99.0.1'],
    ])('should format IPv6 %s as %s (RFC 5952, as glibc inet_ntop)', (hex, text) => {
      expect(formatIp(ipv6(hex.toLowerCase()))).toBe(text);
    });

    it('should return undefined for other lengths', () => {
      expect(formatIp(bytes(1, 2, 3))).toBeUndefined();
      expect(formatIp(bytes())).toBeUndefined();
    });

    it('should honour the view offset of a Buffer slice', () => {
      const buf = Buffer.from([0xee, 10, 0, 0, 7, 0xee]);
      expect(formatIp(buf.subarray(1, 5))).toBe('10.0.0.7');
    });
  });

  describe(isMulticastIp.name, () => {
    it('should recognise 224.0.0.0/4 and ff00::/8', () => {
      expect(isMulticastIp(bytes(239, 1, 1, 43))).toBe(true);
      expect(isMulticastIp(bytes(224, 0, 0, 1))).toBe(true);
      expect(isMulticastIp(bytes(223, 255, 255, 255))).toBe(false);
      expect(isMulticastIp(bytes(240, 0, 0, 1))).toBe(false);
      expect(isMulticastIp(ipv6('ff0e0000000000000000000000000001'))).toBe(true);
      expect(isMulticastIp(ipv6('fd000000000000000000000000000001'))).toBe(false);
    });
  });

  describe(isUnspecifiedIp.name, () => {
    it('should be true only for all-zero addresses', () => {
      expect(isUnspecifiedIp(bytes(0, 0, 0, 0))).toBe(true);
      expect(isUnspecifiedIp(new Uint8Array(16))).toBe(true);
      expect(isUnspecifiedIp(bytes(0, 0, 0, 1))).toBe(false);
    });
  });

  describe('integer attributes', () => {
    it('should read __be16 ports (NDA_PORT, IFLA_VXLAN_PORT)', () => {
      expect(readBe16(bytes(0x12, 0xb5))).toBe(4789);
      expect(readBe16(bytes(0x21, 0x18))).toBe(8472);
      expect(readBe16(bytes(0x12))).toBeUndefined();
    });

    it('should read host-order u32 (NDA_VNI, NDA_IFINDEX) at a view offset', () => {
      const buf = Buffer.alloc(6);
      buf.writeUInt32LE(0x00abcdef, 1); // x86-64 and arm64 hosts are little-endian
      expect(readU32(buf.subarray(1, 5))).toBe(0x00abcdef);
      expect(readU32(bytes(1, 2, 3))).toBeUndefined();
    });

    it('should read u8', () => {
      expect(readU8(bytes(7))).toBe(7);
      expect(readU8(bytes())).toBeUndefined();
    });

    it('should read the big-endian VXLAN source port range', () => {
      expect(readPortRange(bytes(0x9c, 0x40, 0xa0, 0x28))).toEqual({ min: 40000, max: 41000 });
      expect(readPortRange(bytes(0, 0, 0, 0))).toEqual({ min: 0, max: 0 });
      expect(readPortRange(bytes(0, 0))).toBeUndefined();
    });
  });

  describe(operStateName.name, () => {
    it('should name IF_OPER_* values', () => {
      expect([0, 1, 2, 3, 4, 5, 6].map(operStateName)).toEqual([
        'unknown',
        'notpresent',
        'down',
        'lowerlayerdown',
        'testing',
        'dormant',
        'up',
      ]);
    });

    it('should read missing or future values as unknown', () => {
      expect(operStateName(undefined)).toBe('unknown');
      expect(operStateName(42)).toBe('unknown');
    });
  });

  describe(neighFlagNames.name, () => {
    it('should name NTF_* bits in bit order', () => {
      expect(neighFlagNames(0x02)).toEqual(['self']);
      expect(neighFlagNames(0x02 | 0x10)).toEqual(['self', 'extern_learn']);
      expect(neighFlagNames(0xff)).toEqual([
        'use',
        'self',
        'master',
        'proxy',
        'extern_learn',
        'offloaded',
        'sticky',
        'router',
      ]);
    });

    it('should append NTF_EXT_* bits and drop unknown bits', () => {
      expect(neighFlagNames(0x04, 0x02)).toEqual(['master', 'locked']);
      expect(neighFlagNames(0x100, 0x01)).toEqual(['managed']);
      expect(neighFlagNames(0)).toEqual([]);
    });
  });

  describe(neighStateNames.name, () => {
    it('should name NUD_* bits', () => {
      expect(neighStateNames(0x80 | 0x40)).toEqual(['noarp', 'permanent']);
      expect(neighStateNames(0x02)).toEqual(['reachable']);
      expect(neighStateNames(0x04)).toEqual(['stale']);
      expect(neighStateNames(0)).toEqual([]);
    });
  });

  describe(isStaticState.name, () => {
    it('should treat permanent and noarp as static', () => {
      expect(isStaticState(0x80)).toBe(true);
      expect(isStaticState(0x40)).toBe(true);
      expect(isStaticState(0x02 | 0x80)).toBe(true);
      expect(isStaticState(0x02)).toBe(false);
      expect(isStaticState(0x04)).toBe(false);
      expect(isStaticState(0)).toBe(false);
    });
  });
});
