import { FlapDetector, type FdbObservation, type FlapSignal } from './flap-detector';
import { FixedClock } from './testing/fixed-clock';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const MAC = '02:5c:01:01:01:01';
const seen = (change: FdbObservation['change'], dst: string, previousDst?: string): FdbObservation => ({
  netns: 'h3',
  vni: 100,
  mac: MAC,
  change,
  dst,
  previousDst,
});

describe(FlapDetector.name, () => {
  it('should raise a flap, once, when a MAC moves between two VTEPs three times within the window', () => {
    const clock = new FixedClock(T0);
    const sut = new FlapDetector({ moves: 3, windowMs: 60_000, quietMs: 30_000 }, clock);
    const signals: FlapSignal[] = [];

    signals.push(...sut.observe(seen('added', '10.254.1.1')));
    signals.push(...sut.observe(seen('updated', '10.254.1.2', '10.254.1.1')));
    clock.advance(10_000);
    signals.push(...sut.observe(seen('updated', '10.254.1.1', '10.254.1.2')));
    clock.advance(10_000);
    signals.push(...sut.observe(seen('updated', '10.254.1.2', '10.254.1.1')));
    clock.advance(1_000);
    signals.push(...sut.observe(seen('updated', '10.254.1.1', '10.254.1.2')));

    expect(signals).toEqual([
      {
        kind: 'raised',
        flap: {
          netns: 'h3',
          vni: 100,
          mac: MAC,
          vteps: ['10.254.1.1', '10.254.1.2'],
          timeline: [
            { at: T0, dst: '10.254.1.1', change: 'added' },
            { at: T0, dst: '10.254.1.2', change: 'moved', from: '10.254.1.1' },
            { at: T0 + 10_000, dst: '10.254.1.1', change: 'moved', from: '10.254.1.2' },
            { at: T0 + 20_000, dst: '10.254.1.2', change: 'moved', from: '10.254.1.1' },
          ],
          reason: 'moves',
          raisedAt: T0 + 20_000,
          lastChangeAt: T0 + 20_000,
        },
      },
    ]);
    expect(sut.active()).toEqual([
      expect.objectContaining({
        mac: MAC,
        lastChangeAt: T0 + 21_000,
        timeline: expect.arrayContaining([{ at: T0 + 21_000, dst: '10.254.1.1', change: 'moved', from: '10.254.1.2' }]),
      }),
    ]);
  });
});
