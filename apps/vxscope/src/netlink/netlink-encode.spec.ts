import { formatIp } from './netlink-decode';
import { be16, isUint, parseCidr, parseIp, parseMac } from './netlink-encode';
import { NetlinkError } from './netlink-error';

describe('parseIp', () => {
  it.each([
    ['10.11.0.1', [10, 11, 0, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['239.1.1.1', [239, 1, 1, 1]],
  ])('should parse %s', (text, bytes) => {
    expect([...parseIp(text)!]).toEqual(bytes);
  });

  it.each([
    'fd00::1',
    '::',
    '::1',
    'fe80::1:2:3:4',
    'ff02::1:ff00:1',
    '2001:db8::',
    '1:2:3:4:5:6:7:8',
    '::ffff:10.0.0.1',
    '1::8',
  ])('should parse %s as 16 bytes that format back the same', (text) => {
    const bytes = parseIp(text)!;
    expect(bytes).toHaveLength(16);
    expect(formatIp(bytes)).toBe(text);
  });

  it('should accept non-canonical IPv6 spellings', () => {
    expect(formatIp(parseIp('FD00:0:0:0:0:0:0:0001')!)).toBe('fd00::1');
    expect(formatIp(parseIp('1:0:0:0:0:0:0:8')!)).toBe('1::8');
    expect(formatIp(parseIp('::ffff:0a00:0001')!)).toBe('::ffff:10.0.0.1');
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.256',
    '10.0.0.1.2',
    '10.0.0.-1',
    'a.b.c.d',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '1:2:3:4::5:6:7:8',
    '12345::1',
    'fe80::1%eth0',
    '::10.0.0.1:1',
    'g::1',
  ])('should refuse %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('should split the address and prefix length', () => {
    expect(parseCidr('10.11.0.1/24')).toEqual({ address: Buffer.from([10, 11, 0, 1]), prefixLength: 24 });
    expect(parseCidr('fd00::1/64')).toEqual({ address: parseIp('fd00::1'), prefixLength: 64 });
  });

  it('should make a host address when there is no prefix length', () => {
    expect(parseCidr('10.0.0.1')?.prefixLength).toBe(32);
    expect(parseCidr('fd00::1')?.prefixLength).toBe(128);
  });

  it.each(['10.0.0.1/33', 'fd00::1/129', '10.0.0.1/', '10.0.0.1/x', '10.0.0.1/24/1', 'x/24'])(
    'should refuse %j',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );
});

describe('parseMac', () => {
  it('should parse six octets in either case', () => {
    expect([...parseMac('02:00:AA:bb:0c:ff')!]).toEqual([2, 0, 0xaa, 0xbb, 0x0c, 0xff]);
  });

  it.each(['02:00:00:00:00', '02:00:00:00:00:00:00', '02-00-00-00-00-01', '2:0:0:0:0:1', 'zz:00:00:00:00:01'])(
    'should refuse %j',
    (text) => {
      expect(parseMac(text)).toBeUndefined();
    },
  );
});

describe('be16', () => {
  it('should write network byte order', () => {
    expect([...be16(4789)]).toEqual([0x12, 0xb5]);
    expect([...be16(8472)]).toEqual([0x21, 0x18]);
  });
});

describe('isUint', () => {
  it('should accept integers from 0 to max only', () => {
    expect([0, 7, 255].map((v) => isUint(v, 255))).toEqual([true, true, true]);
    expect([-1, 256, 1.5, NaN, '7', null, undefined].map((v) => isUint(v, 255))).toEqual(Array(7).fill(false));
  });
});

describe(NetlinkError.name, () => {
  it('should name the errno of a NACK and keep the op', () => {
    const sut = NetlinkError.fromErrno('createBridge', 'obr0', -17);
    expect(sut).toBeInstanceOf(Error);
    expect(sut).toMatchObject({ name: 'NetlinkError', op: 'createBridge', code: 'EEXIST', errno: 17 });
    expect(sut.message).toBe('createBridge obr0: EEXIST (file already exists)');
  });

  it('should mark arguments refused before sending with EINVAL and no errno', () => {
    const sut = NetlinkError.invalid('addFdb', 'x ifindex 3', 'bad MAC "x"');
    expect(sut).toMatchObject({
      op: 'addFdb',
      code: 'EINVAL',
      errno: undefined,
      message: 'addFdb x ifindex 3: bad MAC "x"',
    });
  });
});
