import { bpfFilter, planCapture } from './capture-plan';
import { link, vxlanInfo } from '../netlink/testing/link-builders';


describe(planCapture.name, () => {
  it('should capture on the underlay device of each vxlan device and add its dstport', () => {
    const links = [link(1, 'lo'), link(2, 'u0'), link(3, 'vxlan0', { kind: 'vxlan', vxlan: vxlanInfo({ underlayIfindex: 2, dstport: 4790 }) })];
    const sut = planCapture(links, [], [4789, 8472]);
    expect(sut).toEqual({ interfaces: ['u0'], ports: [4789, 4790, 8472], filter: '(udp and (port 4789 or port 4790 or port 8472)) or (ip[6:2] & 0x1fff != 0 and ip proto 17) or (icmp[0] = 3 and icmp[1] = 4)' });
  });

  it('should fall back to the any device for a vxlan device without an underlay device', () => {
    const links = [link(2, 'u0'), link(3, 'vxlan0', { kind: 'vxlan', vxlan: vxlanInfo({ underlayIfindex: 2 }) }), link(4, 'vxlan1', { kind: 'vxlan', vxlan: vxlanInfo({}) })];
    expect(planCapture(links, [], [4789]).interfaces).toEqual(['any']);
  });

  it('should use the configured interfaces as they are', () => {
    const links = [link(2, 'u0'), link(3, 'vxlan0', { kind: 'vxlan', vxlan: vxlanInfo({ underlayIfindex: 2 }) })];
    expect(planCapture(links, ['eth1', 'eth0'], [4789]).interfaces).toEqual(['eth0', 'eth1']);
  });

  it('should plan nothing without vxlan devices', () => {
    expect(planCapture([link(1, 'lo')], [], [4789]).interfaces).toEqual([]);
  });

  it('should build a BPF filter from the ports', () => {
    expect(bpfFilter([4789])).toBe('(udp and (port 4789)) or (ip[6:2] & 0x1fff != 0 and ip proto 17) or (icmp[0] = 3 and icmp[1] = 4)');
  });
});
