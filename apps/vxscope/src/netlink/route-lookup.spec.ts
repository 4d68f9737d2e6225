// NetlinkSource.getRoute against the kernel, compared with `ip -j route get`. Like netlink.source.spec.ts,
// the source runs in a child `node` inside a throw-away namespace (nothing is routed out of it).
import { execFileSync } from 'child_process';
import * as path from 'path';

import { uniquePrefix } from '../../../../test/support/env';
import { NetlinkSource } from './netlink.source';
import type { RouteInfo, RouteTarget } from './route.types';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const TS_REGISTER = path.join(REPO_ROOT, 'test/netlink/ts-register.js');
const NS = `${uniquePrefix()}-rt`;

const run = (cmd: string, ...args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
const ip = (...args: string[]): string => run('ip', '-n', NS, ...args);

/** Runs getRoute for each target inside NS; each answer is the route or the error's code. */
function lookup(targets: readonly RouteTarget[]): (RouteInfo | { error: string })[] {
  const script = `
    const { NetlinkSource } = require(${JSON.stringify(path.join(__dirname, 'netlink.source.ts'))});
    const src = new NetlinkSource();
    (async () => {
      const out = [];
      for (const t of ${JSON.stringify(targets)}) {
        out.push(await src.getRoute(t).catch((e) => ({ error: e.code })));
      }
      src.close();
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(run('ip', 'netns', 'exec', NS, process.execPath, '-r', TS_REGISTER, '-e', script)) as (
    RouteInfo | { error: string }
  )[];
}

describe(`${NetlinkSource.name} route lookups`, () => {
  beforeAll(() => {
    run('ip', 'netns', 'add', NS);
    ip('link', 'set', 'lo', 'up');
    ip('link', 'add', 'und0', 'type', 'veth', 'peer', 'name', 'und1');
    ip('addr', 'add', '10.78.0.1/24', 'dev', 'und0');
    ip('-6', 'addr', 'add', 'fd78::1/64', 'dev', 'und0', 'nodad');
    ip('link', 'set', 'und0', 'up');
    ip('link', 'set', 'und1', 'up');
    ip('route', 'add', '10.79.0.0/16', 'via', '10.78.0.254');
  });

  afterAll(() => {
    try {
      run('ip', 'netns', 'del', NS);
    } catch {
      // not created
    }
  });

  it('should answer RTM_GETROUTE as ip route get does: on-link, through a gateway, IPv6, and unreachable', () => {
    const und0 = (JSON.parse(ip('-j', 'link', 'show', 'und0')) as { ifindex: number }[])[0].ifindex;
    const answers = lookup([
      { destination: '10.78.0.9' },
      { destination: '10.79.1.2' },
      { destination: 'fd78::9', oif: und0 },
      { destination: '192.0.2.1' },
    ]);
    const kernel = (dst: string): { gateway?: string; prefsrc?: string } =>
      (JSON.parse(ip('-j', 'route', 'get', dst)) as object[])[0];
    expect(answers).toEqual([
      {
        destination: '10.78.0.9',
        family: 4,
        type: 'unicast',
        ifindex: und0,
        prefsrc: kernel('10.78.0.9').prefsrc,
        table: 254,
      },
      {
        destination: '10.79.1.2',
        family: 4,
        type: 'unicast',
        ifindex: und0,
        gateway: kernel('10.79.1.2').gateway,
        prefsrc: '10.78.0.1',
        table: 254,
      },
      {
        destination: 'fd78::9',
        family: 6,
        type: 'unicast',
        ifindex: und0,
        prefsrc: kernel('fd78::9').prefsrc,
        table: 254,
      },
      { error: 'ENETUNREACH' },
    ]);
    expect(answers[1]).toMatchObject({ gateway: '10.78.0.254' });
  });
});
