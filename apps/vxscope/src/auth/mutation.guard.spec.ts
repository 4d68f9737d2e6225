import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';

import { loadAppConfig } from '../config/app-config';
import { MutationGuard } from './mutation.guard';

const TOKEN = 'a-token-of-32-characters-0123456';

function contextWith(authorization?: string): ExecutionContext {
  const request = { headers: authorization === undefined ? {} : { authorization } };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

const guardFor = (listen: string, token?: string): MutationGuard => new MutationGuard(loadAppConfig({ listen, token }, {}));

describe(MutationGuard.name, () => {
  describe('without a token', () => {
    it.each(['127.0.0.1:9789', '127.1.2.3:9789', '[::1]:9789', 'localhost:9789'])('should allow mutations while listening on loopback (%s)', (listen) => {
      const sut = guardFor(listen);
      expect(sut.canActivate(contextWith())).toBe(true);
    });

    it.each(['0.0.0.0:9789', '[::]:9789', '10.1.2.3:9789', '192.168.0.10:9789'])('should refuse mutations with 403 while listening beyond loopback (%s)', (listen) => {
      const sut = guardFor(listen);
      expect(() => sut.canActivate(contextWith())).toThrow(ForbiddenException);
      // A bearer header does not help when no token is configured.
      expect(() => sut.canActivate(contextWith(`Bearer ${TOKEN}`))).toThrow(ForbiddenException);
    });

    it('should say why in the 403', () => {
      const sut = guardFor('0.0.0.0:9789');
      expect(() => sut.canActivate(contextWith())).toThrow(/listens beyond loopback and no --token is set/);
    });
  });

  describe('with a token', () => {
    it.each(['0.0.0.0:9789', '127.0.0.1:9789'])('should allow the right bearer token (%s)', (listen) => {
      const sut = guardFor(listen, TOKEN);
      expect(sut.canActivate(contextWith(`Bearer ${TOKEN}`))).toBe(true);
    });

    it.each([
      ['no header', undefined],
      ['an empty header', ''],
      ['a wrong token', 'Bearer a-token-of-32-characters-0123457'],
      ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
      ['the token with more after it', `Bearer ${TOKEN}x`],
      ['another scheme', `Basic ${TOKEN}`],
      ['the token alone', TOKEN],
      ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ])('should refuse %s with 401, also beyond loopback', (_what, header) => {
      for (const listen of ['0.0.0.0:9789', '127.0.0.1:9789']) {
        const sut = guardFor(listen, TOKEN);
        expect(() => sut.canActivate(contextWith(header))).toThrow(UnauthorizedException);
      }
    });
  });
});
