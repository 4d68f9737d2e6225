import {
  ETHERTYPE_DECODERS,
  GRE_PROTOCOL_DECODERS,
  IP_PROTOCOL_DECODERS,
  PortRegistry,
  resolveNextLayer,
  UDP_PORT_DECODERS,
} from '@vx/wire';

describe(PortRegistry.name, () => {
  it('should bind 4789 and 8472 to VXLAN, 4790 to VXLAN-GPE and 6081 to GENEVE by default', () => {
    const sut = new PortRegistry();

    expect(sut.portsFor('vxlan')).toEqual([4789, 8472]);
    expect(sut.portsFor('vxlan-gpe')).toEqual([4790]);
    expect(sut.portsFor('geneve')).toEqual([6081]);
    expect([...UDP_PORT_DECODERS]).toEqual([
      [4789, 'vxlan'],
      [8472, 'vxlan'],
      [4790, 'vxlan-gpe'],
      [6081, 'geneve'],
    ]);
  });

  it('should take the VXLAN ports it is given, keeping the other tunnel ports', () => {
    const sut = new PortRegistry([4789, 10000]);

    expect(sut.portsFor('vxlan')).toEqual([4789, 10000]);
    expect(sut.lookup(1, 8472)).toBeUndefined();
    expect(sut.lookup(1, 6081)).toBe('geneve');
  });

  it('should let a configured VXLAN port override another binding', () => {
    const sut = new PortRegistry([6081]);

    expect(sut.lookup(1, 6081)).toBe('vxlan');
  });

  it('should match the destination port first, then the source port', () => {
    const sut = new PortRegistry();

    expect(sut.lookup(4789, 4790)).toBe('vxlan-gpe');
    expect(sut.lookup(4789, 53)).toBe('vxlan');
    expect(sut.lookup(53, 123)).toBeUndefined();
    expect(sut.isVxlan(4789, 4790)).toBe(false);
    expect(sut.isVxlan(4789, 53)).toBe(true);
  });

  it('should register and unregister ports on the instance only', () => {
    const sut = new PortRegistry().registerUdpPort(9999, 'vxlan').unregisterUdpPort(4789);

    expect(sut.isVxlan(1, 9999)).toBe(true);
    expect(sut.isVxlan(1, 4789)).toBe(false);
    expect(new PortRegistry().isVxlan(1, 9999)).toBe(false);
  });

  it.each([0, -1, 65536, 1.5, NaN])('should refuse %p as a port', (port) => {
    expect(() => new PortRegistry([port])).toThrow(RangeError);
  });
});

describe(resolveNextLayer.name, () => {
  const ports = new PortRegistry();

  it('should resolve each kind of hint through its table', () => {
    expect(resolveNextLayer({ kind: 'ethertype', value: 0x86dd }, ports)).toBe('ipv6');
    expect(resolveNextLayer({ kind: 'ethertype', value: 0x88a8 }, ports)).toBe('vlan');
    expect(resolveNextLayer({ kind: 'ip-protocol', value: 58 }, ports)).toBe('icmpv6');
    expect(resolveNextLayer({ kind: 'udp-ports', srcPort: 40000, dstPort: 8472 }, ports)).toBe('vxlan');
    expect(resolveNextLayer({ kind: 'vxlan-gpe', value: 3 }, ports)).toBe('ethernet');
    expect(resolveNextLayer({ kind: 'layer', layer: 'ethernet' }, ports)).toBe('ethernet');
    expect(resolveNextLayer({ kind: 'ip-protocol', value: 47 }, ports)).toBe('gre');
    expect(resolveNextLayer({ kind: 'gre-protocol', value: 0x6558 }, ports)).toBe('ethernet');
    expect(resolveNextLayer({ kind: 'gre-protocol', value: 0x88be }, ports)).toBe('erspan');
    expect(resolveNextLayer({ kind: 'gre-protocol', value: 0x22eb }, ports)).toBe('erspan');
  });

  it('should return undefined when nothing is registered, for fragments and for terminal layers', () => {
    expect(resolveNextLayer({ kind: 'ethertype', value: 0x88cc }, ports)).toBeUndefined();
    expect(resolveNextLayer({ kind: 'ip-protocol', value: 132 }, ports)).toBeUndefined();
    // GRE follows Ethernet, IP and ERSPAN only, not every EtherType.
    expect(resolveNextLayer({ kind: 'gre-protocol', value: 0x0806 }, ports)).toBeUndefined();
    expect(resolveNextLayer({ kind: 'fragment' }, ports)).toBeUndefined();
    expect(resolveNextLayer({ kind: 'none' }, ports)).toBeUndefined();
    expect(resolveNextLayer({ kind: 'unsupported' }, ports)).toBeUndefined();
  });

  it('should expose read-only tables', () => {
    expect(ETHERTYPE_DECODERS.get(0x0800)).toBe('ipv4');
    expect(IP_PROTOCOL_DECODERS.get(17)).toBe('udp');
    expect(GRE_PROTOCOL_DECODERS.get(0x86dd)).toBe('ipv6');
  });
});
