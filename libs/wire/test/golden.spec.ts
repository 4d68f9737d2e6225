// Golden captures: the hot path and the layered decoder against tshark, run on the same files.
import {
  createVxlanFrameInfo,
  DecodeError,
  decodePacket,
  decodeVxlanFrame,
  PcapFileReader,
  PortRegistry,
  type DecodedLayer,
  type LayerType,
} from '@vx/wire';

import { capturePath, readCapture, tsharkFields } from './support/capture-io';

/** What the hot path should say about one frame: undefined = not VXLAN. */
interface FrameSummary {
  readonly vni: number;
  readonly nestedVxlan: number;
  readonly innerEtherType: number;
}

interface CaptureExpectation {
  readonly file: string;
  /** Per-frame truth where tshark is known to be wrong (else tshark is the oracle). */
  readonly truth?: readonly (FrameSummary | undefined)[];
  readonly why?: string;
}

const ports = new PortRegistry([4789, 8472]);

const CAPTURES: readonly CaptureExpectation[] = [
  { file: 'tcpdump-vxlan.pcap' },
  { file: 'tcpdump-vxlan_port_8472.pcap' },
  { file: 'zeek-vxlan-encapsulated-http.pcap' },
  { file: 'zeek-vxlan-triple-v2.pcap' },
  { file: 'suricata-verify-vxlan-non-zero-reserved-fields.pcap' },
  { file: 'suricata-verify-vxlan-decoder-01.pcap' },
  { file: 'suricata-verify-vxlan-decoder-03-aws-traffic-mirror.pcap' },
  { file: 'zeek-vxlan-encapsulated-igmp-v2.pcap' },
  { file: 'zeek-vxlan-overlapping-http-get.pcap' },
  { file: 'ndpi-vxlan.pcap' },
  { file: 'tcpdump-gso-ipv6-vxlan-ipv6.pcap' },
  { file: 'tcpdump-gso-ipv4-vxlan-ipv6.pcap' },
  { file: 'zeek-geneve-truncated.pcapng' },
  {
    file: 'zeek-geneve-vxlan-dns-truncated.pcap',
    truth: [undefined, undefined],
    why: 'the VXLAN is inside GENEVE; the hot path decodes only VXLAN directly over the outer UDP',
  },
  {
    file: 'tcpdump-bigtcp-ipv4-vxlan-ipv4.pcap',
    truth: [{ vni: 5001, nestedVxlan: 0, innerEtherType: 0x0800 }],
    why: 'tshark 4.0 rejects UDP length 0 (BIG TCP); tcpdump master decodes VXLAN vni 5001 / inner IPv4',
  },
  {
    file: 'tcpdump-bigtcp-ipv6-vxlan-ipv6.pcap',
    truth: [{ vni: 5001, nestedVxlan: 0, innerEtherType: 0x86dd }],
    why: 'tshark 4.0 rejects IPv6 payload length 0 + UDP length 0 (BIG TCP); tcpdump master decodes VXLAN vni 5001 / inner IPv6',
  },
];

function decodeCapture(file: string): { frames: (FrameSummary | undefined)[]; errors: number } {
  const sut = new PcapFileReader(readCapture(file));
  const info = createVxlanFrameInfo();
  const frames: (FrameSummary | undefined)[] = [];
  let errors = 0;
  while (sut.next()) {
    if (decodeVxlanFrame(sut.bytes, sut.packetOffset, sut.capturedLength, sut.linkType, ports, info)) {
      frames.push({ vni: info.vni, nestedVxlan: info.nestedVxlan, innerEtherType: info.innerEtherType });
    } else {
      frames.push(undefined);
      errors += info.error === undefined ? 0 : 1;
    }
  }
  return { frames, errors };
}

/** tshark's view: VNIs are comma-separated per nesting level; eth.type[1] is the first inner Ethernet's type. */
function tsharkFrames(file: string): (FrameSummary | undefined)[] {
  return tsharkFields(capturePath(file), ['vxlan.vni', 'eth.type']).map(([vnis = '', types = '']) => {
    if (vnis === '') {
      return undefined;
    }
    const vniList = vnis.split(',').map(Number);
    return { vni: vniList[0], nestedVxlan: vniList.length - 1, innerEtherType: Number(types.split(',')[1]) };
  });
}

function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) {
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  return counts;
}

describe(decodeVxlanFrame.name, () => {
  describe.each(CAPTURES)('on $file', ({ file, truth, why }) => {
    const ours = decodeCapture(file);
    const theirs = tsharkFrames(file);

    it('should see the same number of frames as tshark', () => {
      expect(ours.frames).toHaveLength(theirs.length);
    });

    it('should report no decode errors', () => {
      expect(ours.errors).toBe(0);
    });

    if (truth === undefined) {
      it('should agree with tshark on every frame (VNI, nesting, inner EtherType)', () => {
        expect(ours.frames).toEqual(theirs);
      });

      it('should agree with tshark on per-VNI packet counts', () => {
        const key = (f: FrameSummary | undefined): string | undefined => (f ? String(f.vni) : undefined);
        expect(countBy(ours.frames, key)).toEqual(countBy(theirs, key));
      });
    } else {
      it(`should give the true answer where tshark differs (${why})`, () => {
        expect(theirs).not.toEqual(truth);
        expect(ours.frames).toEqual(truth);
      });
    }
  });

  it('should count VNI 4242 and 4711 separately in the overlapping-flows capture', () => {
    const { frames } = decodeCapture('zeek-vxlan-overlapping-http-get.pcap');

    expect(countBy(frames, (f) => (f ? String(f.vni) : 'plain'))).toEqual({ '4242': 14, '4711': 14, plain: 14 });
  });

  it('should report the outermost VNI and two nested VXLAN headers in the triple capture', () => {
    expect(decodeCapture('zeek-vxlan-triple-v2.pcap').frames).toEqual([
      { vni: 1, nestedVxlan: 2, innerEtherType: 0x0800 },
    ]);
  });
});

const TSHARK_NAMES: Partial<Record<LayerType, string>> = {
  ethernet: 'eth',
  vlan: 'vlan',
  ipv4: 'ip',
  ipv6: 'ipv6',
  udp: 'udp',
  tcp: 'tcp',
  arp: 'arp',
  icmp: 'icmp',
  icmpv6: 'icmpv6',
  vxlan: 'vxlan',
  geneve: 'geneve',
  gre: 'gre',
  erspan: 'erspan',
};
const TSHARK_TOKENS = new Set(Object.values(TSHARK_NAMES));

function layerNames(layers: readonly DecodedLayer[]): string[] {
  return layers.flatMap((l) => TSHARK_NAMES[l.type] ?? []);
}

describe(decodePacket.name, () => {
  const files = [
    'tcpdump-vxlan.pcap',
    'tcpdump-vxlan_port_8472.pcap',
    'zeek-vxlan-encapsulated-http.pcap',
    'zeek-vxlan-triple-v2.pcap',
    'suricata-verify-vxlan-non-zero-reserved-fields.pcap',
    'suricata-verify-vxlan-decoder-01.pcap',
    'suricata-verify-vxlan-decoder-03-aws-traffic-mirror.pcap',
    'zeek-vxlan-encapsulated-igmp-v2.pcap',
    'zeek-vxlan-overlapping-http-get.pcap',
    'ndpi-vxlan.pcap',
    'tcpdump-gso-ipv6-vxlan-ipv6.pcap',
    'tcpdump-gso-ipv4-vxlan-ipv6.pcap',
    'zeek-geneve-vxlan-dns-truncated.pcap',
    'zeek-geneve-arp.pcap',
    'zeek-geneve-ipv6.pcap',
    'suricata-verify-bug-6402-01-geneve-gre.pcap',
  ];

  it.each(files)('should decode the same layer sequence as tshark on %s', (file) => {
    const sut = new PcapFileReader(readCapture(file));
    const ours: string[][] = [];
    while (sut.next()) {
      ours.push(layerNames(decodePacket(sut.bytes, sut.packetOffset, sut.capturedLength, sut.linkType, ports)));
    }
    const theirs = tsharkFields(capturePath(file), ['frame.protocols']).map(([p]) =>
      p.split(':').filter((t) => TSHARK_TOKENS.has(t)),
    );

    expect(ours).toEqual(theirs);
  });

  it('should decode the GRE frames of the Arkime captures like tshark (ERSPAN II, IP in GRE)', () => {
    // tshark takes UDP 4789 → 4790 for VXLAN; the destination port decides here, and 4790 is VXLAN-GPE.
    const names = (layers: readonly DecodedLayer[]): string[] =>
      layers.flatMap((l) => (l.type === 'vxlan-gpe' ? 'vxlan' : (TSHARK_NAMES[l.type] ?? [])));
    const fields = [
      'frame.number',
      'frame.protocols',
      'gre.flags_and_version',
      'gre.proto',
      'gre.sequence_number',
      'erspan.version',
      'erspan.spanid',
      'erspan.index',
    ];
    for (const file of ['arkime-gre-erspan-vxlan.pcap', 'arkime-arkime_synthetic.pcap']) {
      const theirs = tsharkFields(capturePath(file), fields, ['-Y', 'gre']);
      const wanted = new Map(theirs.map((row) => [Number(row[0]), row]));
      const sut = new PcapFileReader(readCapture(file));
      const ours: string[][] = [];
      for (let frame = 1; sut.next(); frame++) {
        if (!wanted.has(frame)) {
          continue;
        }
        const layers = decodePacket(sut.bytes, sut.packetOffset, sut.capturedLength, sut.linkType, ports);
        const gre = layers.find((l) => l.type === 'gre');
        const erspan = layers.find((l) => l.type === 'erspan');
        ours.push([
          String(frame),
          names(layers).join(':'),
          gre ? `0x${gre.header.flagsAndVersion.toString(16).padStart(4, '0')}` : '',
          gre ? `0x${gre.header.protocolType.toString(16).padStart(4, '0')}` : '',
          gre && gre.header.sequenceNumber >= 0 ? String(gre.header.sequenceNumber) : '',
          erspan ? String(erspan.header.version) : '',
          erspan ? String(erspan.header.sessionId) : '',
          erspan?.header.version === 1 ? String(erspan.header.index) : '',
        ]);
      }

      expect(wanted.size).toBeGreaterThanOrEqual(3);
      expect(ours.map((row) => row.join('\t').replace(/\t+$/, ''))).toEqual(
        theirs.map(([n, protocols, ...rest]) =>
          [
            n,
            protocols
              .split(':')
              .filter((t) => TSHARK_TOKENS.has(t))
              .join(':'),
            ...rest,
          ]
            .join('\t')
            .replace(/\t+$/, ''),
        ),
      );
    }
  });

  it('should decode BIG TCP frames to the inner TCP header, where tshark stops at UDP', () => {
    const expected = {
      'tcpdump-bigtcp-ipv4-vxlan-ipv4.pcap': ['ethernet', 'ipv4', 'udp', 'vxlan', 'ethernet', 'ipv4', 'tcp', 'payload'],
      'tcpdump-bigtcp-ipv6-vxlan-ipv6.pcap': ['ethernet', 'ipv6', 'udp', 'vxlan', 'ethernet', 'ipv6', 'tcp', 'payload'],
    };
    for (const [file, layers] of Object.entries(expected)) {
      const sut = new PcapFileReader(readCapture(file));
      expect(sut.next()).toBe(true);
      const decoded = decodePacket(sut.bytes, sut.packetOffset, sut.capturedLength, sut.linkType, ports);

      expect(decoded.map((l) => l.type)).toEqual(layers);
      // tcpdump master: "TCP ... length 80000"
      expect(decoded.at(-1)).toMatchObject({ type: 'payload', length: 80000, header: { reason: 'data' } });
      expect(tsharkFields(capturePath(file), ['frame.protocols'])[0][0]).toMatch(/:udp$/);
    }
  });

  it('should throw a DecodeError on the truncated GENEVE pcapng, where tshark reports a malformed Ethernet', () => {
    const sut = new PcapFileReader(readCapture('zeek-geneve-truncated.pcapng'));
    expect(sut.next()).toBe(true);

    expect(() => decodePacket(sut.bytes, sut.packetOffset, sut.capturedLength, sut.linkType, ports)).toThrow(
      expect.objectContaining({ layer: 'ethernet', reason: 'truncated' }) as DecodeError,
    );
    expect(tsharkFields(capturePath('zeek-geneve-truncated.pcapng'), ['_ws.malformed'])[0][0]).toContain('Ethernet');
  });

  it('should decode VXLAN-GPE up to its NSH payload', () => {
    const sut = new PcapFileReader(readCapture('tcpdump-nsh-over-vxlan-gpe.pcap'));
    expect(sut.next()).toBe(true);
    const layers = decodePacket(sut.bytes, sut.packetOffset, sut.capturedLength, sut.linkType, ports);

    expect(layers.map((l) => l.type)).toEqual(['ethernet', 'ipv4', 'udp', 'vxlan-gpe', 'payload']);
    expect(layers[3].header).toEqual({
      flags: 0x0c,
      version: 0,
      vniValid: true,
      nextProtocolPresent: true,
      bum: false,
      oam: false,
      nextProtocol: 4,
      vni: 0xffffff,
    });
    expect(layers[4].header).toEqual({ reason: 'unsupported' });
  });
});
