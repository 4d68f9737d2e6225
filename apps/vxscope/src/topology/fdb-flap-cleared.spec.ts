import { FlapDetector, type FdbObservation, type FlapSignal } from './flap-detector';
import { FixedClock } from './testing/fixed-clock';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const seen = (dst: string, previousDst: string): FdbObservation => ({
  netns: 'h3',
  vni: 100,
  mac: '02:5c:01:01:01:01',
  change: 'updated',
  dst,
  previousDst,
});

describe(FlapDetector.name, () => {
  it('should clear a raised flap once it has been quiet for the quiet period, and not before', () => {
    const clock = new FixedClock(T0);
    const sut = new FlapDetector({ moves: 3, windowMs: 60_000, quietMs: 20_000 }, clock);
    sut.observe(seen('10.0.0.2', '10.0.0.1'));
    sut.observe(seen('10.0.0.1', '10.0.0.2'));
    sut.observe(seen('10.0.0.2', '10.0.0.1'));
    const signals: FlapSignal[] = [];

    clock.advance(19_999);
    signals.push(...sut.tick());
    const activeBefore = sut.active().length;
    clock.advance(1);
    signals.push(...sut.tick());
    signals.push(...sut.tick());

    expect(activeBefore).toBe(1);
    expect(signals).toEqual([
      {
        kind: 'cleared',
        flap: {
          netns: 'h3',
          vni: 100,
          mac: '02:5c:01:01:01:01',
          vteps: ['10.0.0.1', '10.0.0.2'],
          timeline: [
            { at: T0, dst: '10.0.0.2', change: 'moved', from: '10.0.0.1' },
            { at: T0, dst: '10.0.0.1', change: 'moved', from: '10.0.0.2' },
            { at: T0, dst: '10.0.0.2', change: 'moved', from: '10.0.0.1' },
          ],
          reason: 'moves',
          raisedAt: T0,
          lastChangeAt: T0,
          clearedAt: T0 + 20_000,
        },
      },
    ]);
    expect(sut.active()).toEqual([]);
  });
});
