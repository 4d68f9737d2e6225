import { FlapDetector, type FdbObservation } from './flap-detector';
import { FixedClock } from './testing/fixed-clock';

const seen = (dst: string, previousDst: string): FdbObservation => ({
  netns: 'h1',
  vni: 1,
  mac: '02:00:00:00:01:03',
  change: 'updated',
  dst,
  previousDst,
});

describe(FlapDetector.name, () => {
  it('should not raise a flap for moves spread wider than the window', () => {
    const clock = new FixedClock();
    const sut = new FlapDetector({ moves: 3, windowMs: 60_000, quietMs: 60_000 }, clock);

    const signals = [];
    for (let i = 0; i < 10; i++) {
      signals.push(...sut.observe(i % 2 === 0 ? seen('10.0.0.2', '10.0.0.3') : seen('10.0.0.3', '10.0.0.2')));
      signals.push(...sut.tick());
      clock.advance(31_000);
    }

    expect(signals).toEqual([]);
    expect(sut.active()).toEqual([]);
  });
});
