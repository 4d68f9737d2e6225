import { decodePacket, PortRegistry } from '@vx/wire';

import { greErspanVxlanGpe } from '../../../../libs/wire/test/fixtures/gre-erspan-vxlan-gpe';
import {
  concat,
  encodeErspanIII,
  encodeEthernet,
  encodeGreHeader,
  encodeIp,
} from '../../../../libs/wire/test/support/encode';
import { fromHex } from '../../../../libs/wire/test/support/shift-offsets';
import { describeLayer } from './packet-view';

const ports = new PortRegistry();

function lines(frame: Uint8Array): string[] {
  return decodePacket(frame, 0, frame.length, 1, ports).map((l) => `${l.type}: ${describeLayer(l, frame)}`);
}

function gre(header: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeEthernet({
    etherType: 0x0800,
    payload: encodeIp({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 47, payload: concat(header, payload) }),
  });
}

describe(describeLayer.name, () => {
  it('should show the GRE and ERSPAN Type II headers of a mirrored frame', () => {
    expect(lines(fromHex(greErspanVxlanGpe.hex)).slice(2, 4)).toEqual([
      'gre: protocol 0x88be seq 0',
      'erspan: type II session 20 vlan 0 cos 0 index 1',
    ]);
  });

  it('should show NVGRE, ERSPAN Type I and Type III, and PPTP', () => {
    const inner = encodeEthernet({ etherType: 0x88cc, payload: new Uint8Array(4) });

    expect(lines(gre(encodeGreHeader({ protocolType: 0x6558, key: 0x00100105 }), inner))[2]).toBe(
      'gre: protocol 0x6558 NVGRE VSID 4097 flow 5',
    );
    expect(lines(gre(encodeGreHeader({ protocolType: 0x88be }), inner))[2]).toBe(
      'gre: protocol 0x88be (ERSPAN type I)',
    );
    expect(
      lines(
        gre(
          concat(
            encodeGreHeader({ protocolType: 0x22eb, sequenceNumber: 3 }),
            encodeErspanIII({ sessionId: 7, timestamp: 99, egress: true, platformId: 3 }),
          ),
          inner,
        ),
      ).slice(2, 4),
    ).toEqual([
      'gre: protocol 0x22eb seq 3',
      'erspan: type III session 7 vlan 0 cos 0 egress frame type 0 hw 0 timestamp 99 sgt 0 platform 3',
    ]);
    expect(
      lines(
        gre(
          encodeGreHeader({
            version: 1,
            protocolType: 0x880b,
            key: 0x00040009,
            sequenceNumber: 2,
            acknowledgmentNumber: 1,
          }),
          new Uint8Array(4),
        ),
      )[2],
    ).toBe('gre: PPTP (GRE v1) protocol 0x880b call 9 length 4 seq 2 ack 1');
  });
});
