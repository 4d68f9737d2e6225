import { DecodeError, need } from '@vx/wire';

describe(DecodeError.name, () => {
  it('should say which layer failed, where, and which sizes were involved', () => {
    const sut = new DecodeError('ipv4', 'truncated', 14, 20, 6);

    expect(sut).toBeInstanceOf(Error);
    expect(sut).toMatchObject({
      name: 'DecodeError',
      layer: 'ipv4',
      reason: 'truncated',
      offset: 14,
      needed: 20,
      available: 6,
    });
    expect(sut.message).toBe('ipv4: truncated at offset 14 (needed 20 bytes, 6 available)');
    expect(new DecodeError('ipv4', 'bad-header-length', 14, 20, 16).message).toBe(
      'ipv4: bad-header-length at offset 14 (expected 20, got 16)',
    );
  });
});

describe(need.name, () => {
  it('should measure against the given end, not the buffer size', () => {
    const buf = new Uint8Array(100);

    expect(() => need(buf, 10, 8, 'udp', 18)).not.toThrow();
    expect(() => need(buf, 10, 8, 'udp', 17)).toThrow(
      expect.objectContaining({
        layer: 'udp',
        reason: 'truncated',
        offset: 10,
        needed: 8,
        available: 7,
      }) as DecodeError,
    );
  });

  it('should report 0 available when the offset is already past the end', () => {
    expect(() => need(new Uint8Array(4), 6, 1, 'vxlan')).toThrow(
      expect.objectContaining({ available: 0 }) as DecodeError,
    );
  });
});
