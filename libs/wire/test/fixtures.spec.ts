// Golden packets (libs/wire/test/fixtures): layer sequence, headers, non-zero offsets, every prefix length.
import {
  createVxlanFrameInfo,
  DecodeError,
  decodePacket,
  decodeVxlanFrame,
  formatIpv4,
  formatIpv6,
  formatMac,
  PortRegistry,
  type DecodedLayer,
  type VxlanFrameInfo,
} from '@vx/wire';

import { FIXTURES, type PacketFixture } from './fixtures';
import { embed, fromHex, shiftOffsets } from './support/shift-offsets';

const ports = new PortRegistry();
const cases = Object.entries(FIXTURES);

type DecodeFailure = Pick<DecodeError, 'layer' | 'reason' | 'offset' | 'needed' | 'available'>;

/** decodePacket's outcome as a plain value, so results at different offsets and lengths can be compared. */
function outcome(buf: Uint8Array, offset: number, length: number, linkType: number): DecodedLayer[] | DecodeFailure {
  try {
    return decodePacket(buf, offset, length, linkType, ports);
  } catch (err) {
    if (err instanceof DecodeError) {
      const { layer, reason, offset: at, needed, available } = err;
      return { layer, reason, offset: at, needed, available };
    }
    throw err;
  }
}

function frameInfo(buf: Uint8Array, offset: number, length: number, fx: PacketFixture): [boolean, VxlanFrameInfo] {
  const info = createVxlanFrameInfo();
  return [decodeVxlanFrame(buf, offset, length, fx.linkType, ports, info), info];
}

describe(decodePacket.name, () => {
  describe.each(cases)('on fixture %s', (_name, fx) => {
    const bytes = fromHex(fx.hex);

    it('should decode the layer sequence of the outline', () => {
      const sut = decodePacket(bytes, 0, bytes.length, fx.linkType, ports);

      expect(sut.map((l) => l.type)).toEqual(fx.layers);
    });

    it('should decode each header', () => {
      const sut = decodePacket(bytes, 0, bytes.length, fx.linkType, ports);

      for (const [index, header] of Object.entries(fx.headers)) {
        expect(sut[Number(index)].header).toEqual(header);
      }
    });

    it('should chain layers back to back from offset 0', () => {
      const sut = decodePacket(bytes, 0, bytes.length, fx.linkType, ports);

      expect(sut[0].offset).toBe(0);
      for (let i = 1; i < sut.length; i++) {
        expect(sut[i].offset).toBe(sut[i - 1].offset + sut[i - 1].length);
      }
    });

    it('should decode the same at a non-zero offset inside a larger buffer', () => {
      const sut = decodePacket(embed(bytes, 13, 29), 13, bytes.length, fx.linkType, ports);

      expect(sut).toEqual(shiftOffsets(decodePacket(bytes, 0, bytes.length, fx.linkType, ports), 13));
    });

    it('should decode every prefix or throw a DecodeError (nothing else), never reading past the captured length', () => {
      // The prefix is followed by the rest of the frame and junk, so any read past `length` would change the result.
      const big = embed(bytes, 5, 64, 0xff);
      for (let length = 0; length <= bytes.length; length++) {
        const expected = outcome(bytes.slice(0, length), 0, length, fx.linkType);
        const actual = outcome(big, 5, length, fx.linkType);

        expect(actual).toEqual(shiftOffsets(expected, 5));
      }
    });

    it('should format addresses at the API edge', () => {
      const format = { mac: formatMac, ipv4: formatIpv4, ipv6: formatIpv6 };
      for (const [kind, offset, text] of fx.addresses) {
        expect(format[kind](bytes, offset)).toBe(text);
      }
    });
  });
});

describe(decodeVxlanFrame.name, () => {
  describe.each(cases)('on fixture %s', (_name, fx) => {
    const bytes = fromHex(fx.hex);

    it(fx.vxlanFrame ? 'should fill the frame info' : 'should return false without an error', () => {
      const [ok, sut] = frameInfo(bytes, 0, bytes.length, fx);

      expect(ok).toBe(fx.vxlanFrame !== false);
      expect(sut.error).toBeUndefined();
      if (fx.vxlanFrame !== false) {
        expect(sut).toMatchObject(fx.vxlanFrame);
        expect(sut.capturedLength).toBe(bytes.length);
      }
    });

    it('should give the same answer at a non-zero offset inside a larger buffer', () => {
      const [expectedOk, expected] = frameInfo(bytes, 0, bytes.length, fx);
      const [ok, sut] = frameInfo(embed(bytes, 21, 11), 21, bytes.length, fx);

      expect(ok).toBe(expectedOk);
      expect(sut).toEqual(shiftOffsets(expected, 21));
    });

    it('should decode every prefix or set out.error, never throwing or reading past the captured length', () => {
      const [, full] = frameInfo(bytes, 0, bytes.length, fx);
      const big = embed(bytes, 3, 64, 0xff);
      for (let length = 0; length <= bytes.length; length++) {
        const [expectedOk, expected] = frameInfo(bytes.slice(0, length), 0, length, fx);
        const [ok, sut] = frameInfo(big, 3, length, fx);

        expect(ok).toBe(expectedOk);
        expect(sut).toEqual(shiftOffsets(expected, 3));
        if (fx.vxlanFrame !== false) {
          // A VXLAN frame decodes exactly when every header up to the inner EtherType is there.
          expect(ok).toBe(length >= full.innerPayloadOffset);
          expect(ok || sut.error !== undefined).toBe(true);
        } else {
          expect(ok).toBe(false);
        }
      }
    });
  });
});
