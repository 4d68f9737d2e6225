import { ConfigError, loadAppConfig } from '../config/app-config';

describe('history configuration', () => {
  it('should keep a week and a million rows by default', () => {
    expect(loadAppConfig({}, {})).toMatchObject({
      historyMaxAgeHours: 168,
      historyMaxRows: 1_000_000,
      dataDir: '/var/lib/vxscope',
    });
  });

  it('should read both bounds from the environment', () => {
    const sut = loadAppConfig({}, { VXSCOPE_HISTORY_MAX_AGE_HOURS: '24', VXSCOPE_HISTORY_MAX_ROWS: '5000' });
    expect(sut).toMatchObject({ historyMaxAgeHours: 24, historyMaxRows: 5000 });
  });

  it('should name every bad value, with the other problems', () => {
    let error: ConfigError | undefined;
    try {
      loadAppConfig({}, { VXSCOPE_HISTORY_MAX_AGE_HOURS: '0', VXSCOPE_HISTORY_MAX_ROWS: '1e6', VXSCOPE_SNAPLEN: '10' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        'VXSCOPE_HISTORY_MAX_AGE_HOURS: "0" is not an integer in 1..87600',
        'VXSCOPE_HISTORY_MAX_ROWS: "1e6" is not an integer in 1000..100000000',
        expect.stringContaining('"10"'),
      ]),
    );
    expect(error!.problems).toHaveLength(3);
  });
});
