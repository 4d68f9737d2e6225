import { FlapDetector, type FdbObservation } from './flap-detector';
import { FixedClock } from './testing/fixed-clock';

describe(FlapDetector.name, () => {
  it('should ignore flood entries and updates that keep the destination', () => {
    const sut = new FlapDetector({ moves: 2, windowMs: 60_000, quietMs: 60_000 }, new FixedClock());
    const zero = (change: 'added' | 'removed', dst: string): FdbObservation => ({
      netns: 'h1',
      vni: 1,
      mac: '00:00:00:00:00:00',
      change,
      dst,
    });
    const stateOnly: FdbObservation = {
      netns: 'h1',
      vni: 1,
      mac: '02:00:00:00:00:01',
      change: 'updated',
      dst: '10.0.0.2',
      previousDst: '10.0.0.2',
    };

    const signals = [];
    for (let i = 0; i < 5; i++) {
      signals.push(...sut.observe(zero('added', '10.0.0.2')), ...sut.observe(zero('removed', '10.0.0.2')));
      signals.push(...sut.observe({ ...zero('added', '10.0.0.3'), mac: '01:00:5e:00:00:01' }));
      signals.push(...sut.observe(stateOnly));
    }

    expect(signals).toEqual([]);
    expect(sut.active()).toEqual([]);
  });
});
