import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';

import { EventsQueryDto, FdbHistoryQueryDto, MacParams } from './history.dto';

/** The pipe main.ts installs globally. */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

async function problems(
  query: Record<string, string>,
  metatype: ArgumentMetadata['metatype'] = EventsQueryDto,
  type: ArgumentMetadata['type'] = 'query',
): Promise<string[]> {
  try {
    await pipe.transform(query, { type, metatype });
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestException);
    return ((err as BadRequestException).getResponse() as { message: string[] }).message;
  }
  return [];
}

describe(EventsQueryDto.name, () => {
  it('should turn query strings into typed values, and times into epoch ms', async () => {
    const sut = (await pipe.transform(
      {
        kind: 'fdb',
        mac: 'AA:BB:CC:DD:EE:FF',
        vni: '42',
        netns: 'h1',
        vtep: '10.0.0.2',
        since: '2025-03-01T12:00:00Z',
        until: '1740830500000',
        limit: '5',
        cursor: '99',
      },
      { type: 'query', metatype: EventsQueryDto },
    )) as EventsQueryDto;
    expect({ ...sut }).toEqual({
      kind: 'fdb',
      mac: 'aa:bb:cc:dd:ee:ff',
      vni: 42,
      netns: 'h1',
      vtep: '10.0.0.2',
      since: Date.parse('2025-03-01T12:00:00Z'),
      until: 1740830500000,
      limit: 5,
      cursor: 99,
    });
  });

  it('should accept an ISO time with an offset and a date alone', async () => {
    const sut = (await pipe.transform(
      { since: '2025-03-01T13:00:00+01:00', until: '2025-03-02' },
      { type: 'query', metatype: EventsQueryDto },
    )) as EventsQueryDto;
    expect(sut.since).toBe(Date.parse('2025-03-01T12:00:00Z'));
    expect(sut.until).toBe(Date.parse('2025-03-02T00:00:00Z'));
  });

  it.each([
    [{ since: 'yesterday' }, 'since must be an ISO 8601 time or epoch milliseconds'],
    [{ until: '2025-13-45' }, 'until must be an ISO 8601 time or epoch milliseconds'],
    [{ since: '-5' }, 'since must be an ISO 8601 time or epoch milliseconds'],
    [{ kind: 'fdbx' }, 'kind must be one of the following values: fdb, link, neigh, route, flap, detection'],
    [{ mac: '02:00:00:00:01' }, 'mac must look like aa:bb:cc:dd:ee:ff'],
    [{ vni: '16777216' }, 'vni must not be greater than 16777215'],
    [{ vtep: '10.0.0' }, 'vtep must be an ip address'],
    [{ limit: '0' }, 'limit must not be less than 1'],
    [{ limit: '1001' }, 'limit must not be greater than 1000'],
    [{ cursor: 'abc' }, 'cursor must be an integer number'],
    [{ colour: 'red' }, 'property colour should not exist'],
  ])('should refuse %j, naming the field', async (query, message) => {
    expect(await problems(query)).toContain(message);
  });

  it('should name every bad field at once', async () => {
    const sut = await problems({ since: 'x', vni: 'y', mac: 'z' });
    expect(sut.join('\n')).toMatch(/since/);
    expect(sut.join('\n')).toMatch(/vni/);
    expect(sut.join('\n')).toMatch(/mac/);
  });
});

describe(MacParams.name, () => {
  it('should lower-case the MAC and refuse anything else', async () => {
    expect(await pipe.transform({ mac: '02:00:00:00:01:0A' }, { type: 'param', metatype: MacParams })).toEqual({
      mac: '02:00:00:00:01:0a',
    });
    expect(await problems({ mac: 'nope' }, MacParams, 'param')).toEqual(['mac must look like aa:bb:cc:dd:ee:ff']);
  });
});

describe(FdbHistoryQueryDto.name, () => {
  it('should bound the limit', async () => {
    expect(await problems({ limit: '0' }, FdbHistoryQueryDto)).toEqual(['limit must not be less than 1']);
    expect(await problems({ vni: '1' }, FdbHistoryQueryDto)).toEqual(['property vni should not exist']);
  });
});
