import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { encodeSll, encodeVxlanFrame, encodeVxlanPacket } from '../../../../libs/wire/test/support/encode';
import { matchesPacket, writePcap } from './pcap-export';
import type { StoredPacket } from './traffic-store';

const stored = (data: Uint8Array, linkType = 1, vni = 1): StoredPacket => ({ netns: 'x', interface: 'u0', vni, tsMs: 1700000000123.5, wirelen: data.length, linkType, data: Buffer.from(data) });

/** tshark is the oracle: the file must open and show the frames we wrote. */
function tsharkVnis(file: Buffer): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'vxscope-export-'));
  try {
    const p = path.join(dir, 'x.pcap');
    writeFileSync(p, file);
    return execFileSync('tshark', ['-r', p, '-T', 'fields', '-e', 'vxlan.vni'], { encoding: 'utf8' }).trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(writePcap.name, () => {
  it('should write a classic pcap that tshark reads back frame for frame', () => {
    const file = writePcap([stored(encodeVxlanFrame({ vni: 10 })), stored(encodeVxlanFrame({ vni: 20 }))]);
    expect(file.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(tsharkVnis(file)).toEqual(['10', '20']);
  });

  it('should write pcapng with one interface per link type when link types differ', () => {
    const sll = encodeSll(0x0800, encodeVxlanPacket({ vni: 30 }));
    const file = writePcap([stored(encodeVxlanFrame({ vni: 10 })), stored(sll, 113, 30)]);
    expect(file.readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(tsharkVnis(file)).toEqual(['10', '30']);
  });

  it('should write an empty but valid capture', () => {
    expect(tsharkVnis(writePcap([]))).toEqual(['']);
  });
});

describe(matchesPacket.name, () => {
  const p = stored(encodeVxlanFrame({ vni: 1, outerSrc: '10.0.0.1', innerSrc: '02:00:00:00:00:aa', innerDst: '02:00:00:00:00:bb' }));

  it('should match inner and outer MACs and addresses', () => {
    expect(matchesPacket(p, '02:00:00:00:00:bb', undefined)).toBe(true);
    expect(matchesPacket(p, undefined, '10.0.0.1')).toBe(true);
    expect(matchesPacket(p, undefined, '10.0.0.2')).toBe(true); // the inner destination of the default payload
    expect(matchesPacket(p, '02:00:00:00:00:aa', '10.0.0.1')).toBe(true);
  });

  it('should not match what the frame does not carry', () => {
    expect(matchesPacket(p, '02:00:00:00:00:cc', undefined)).toBe(false);
    expect(matchesPacket(p, '02:00:00:00:00:aa', '192.168.1.1')).toBe(false);
  });
});
