import { FlapDetector, type FdbObservation, type FlapSignal } from './flap-detector';
import { FixedClock } from './testing/fixed-clock';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const seen = (change: 'added' | 'removed'): FdbObservation => ({
  netns: 'h1',
  vni: 7,
  mac: '02:00:00:00:00:aa',
  change,
  dst: '10.0.0.9',
});

describe(FlapDetector.name, () => {
  it('should raise a flap when an entry is added and removed three times within the window', () => {
    const clock = new FixedClock(T0);
    const sut = new FlapDetector({ moves: 3, windowMs: 60_000, quietMs: 60_000 }, clock);
    const signals: FlapSignal[] = [];

    for (let i = 0; i < 3; i++) {
      signals.push(...sut.observe(seen('added')));
      clock.advance(5_000);
      signals.push(...sut.observe(seen('removed')));
      clock.advance(5_000);
    }

    expect(signals).toEqual([
      {
        kind: 'raised',
        flap: {
          netns: 'h1',
          vni: 7,
          mac: '02:00:00:00:00:aa',
          vteps: ['10.0.0.9'],
          timeline: [0, 5, 10, 15, 20, 25].map((s, i) => ({
            at: T0 + s * 1000,
            dst: '10.0.0.9',
            change: i % 2 === 0 ? 'added' : 'removed',
          })),
          reason: 'add-remove',
          raisedAt: T0 + 25_000,
          lastChangeAt: T0 + 25_000,
        },
      },
    ]);
  });
});
