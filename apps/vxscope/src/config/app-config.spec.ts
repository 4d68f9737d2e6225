import { ConfigError, loadAppConfig } from './app-config';

describe(loadAppConfig.name, () => {
  it('should apply the defaults', () => {
    const sut = loadAppConfig({}, {});
    expect(sut).toMatchObject({ netns: [], interfaces: [], ports: [4789, 8472], listen: { host: '127.0.0.1', port: 9789 }, snaplen: 256 });
    expect(Object.isFrozen(sut)).toBe(true);
  });

  it('should read the environment and let the command line override it', () => {
    const env = { VXSCOPE_NETNS: 'a,b', VXSCOPE_PORTS: '4789', VXSCOPE_LISTEN: '0.0.0.0:8000', VXSCOPE_INTERFACES: 'eth0' };
    expect(loadAppConfig({}, env)).toMatchObject({ netns: ['a', 'b'], ports: [4789], listen: { host: '0.0.0.0', port: 8000 }, interfaces: ['eth0'] });
    expect(loadAppConfig({ netns: ['c'], ports: '8472', listen: '[::1]:9000' }, env)).toMatchObject({ netns: ['c'], ports: [8472], listen: { host: '::1', port: 9000 } });
  });

  it('should accept a namespace given as a path', () => {
    expect(loadAppConfig({ netns: ['/proc/1/ns/net'] }, {}).netns).toEqual(['/proc/1/ns/net']);
  });

  it('should read the resync interval and the flap rules, in seconds', () => {
    expect(loadAppConfig({}, {})).toMatchObject({ resyncIntervalMs: 60_000, flap: { moves: 3, windowMs: 60_000, quietMs: 60_000 } });
    const env = { VXSCOPE_RESYNC_INTERVAL_S: '5', VXSCOPE_FLAP_MOVES: '4', VXSCOPE_FLAP_WINDOW_S: '30', VXSCOPE_FLAP_QUIET_S: '2' };
    expect(loadAppConfig({}, env)).toMatchObject({ resyncIntervalMs: 5000, flap: { moves: 4, windowMs: 30_000, quietMs: 2000 } });
    const bad = { VXSCOPE_RESYNC_INTERVAL_S: '0', VXSCOPE_FLAP_MOVES: '1', VXSCOPE_FLAP_WINDOW_S: 'x', VXSCOPE_FLAP_QUIET_S: '-1' };
    expect(() => loadAppConfig({}, bad)).toThrow(/VXSCOPE_RESYNC_INTERVAL_S[\s\S]*VXSCOPE_FLAP_MOVES[\s\S]*VXSCOPE_FLAP_WINDOW_S[\s\S]*VXSCOPE_FLAP_QUIET_S/);
  });

  it('should name every bad value in one error', () => {
    const env = { VXSCOPE_PORTS: '4789,99999,abc', VXSCOPE_LISTEN: 'nowhere', VXSCOPE_NETNS: 'bad name;rm', VXSCOPE_INTERFACES: 'waytoolonginterfacename', VXSCOPE_LOG_LEVEL: 'loud', VXSCOPE_SNAPLEN: '10' };
    let error: ConfigError | undefined;
    try {
      loadAppConfig({}, env);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    for (const bad of ['"99999"', '"abc"', '"nowhere"', '"bad name;rm"', '"waytoolonginterfacename"', '"loud"', '"10"']) {
      expect(text).toContain(bad);
    }
    expect(error!.problems).toHaveLength(7);
  });
});
