/** Two projects: fast unit specs next to the code, and e2e specs that build real overlays. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@vx/wire$': '<rootDir>/libs/wire/src',
    '^@vx/wire/(.*)$': '<rootDir>/libs/wire/src/$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};

module.exports = {
  // Per test; e2e tests build overlays and start the daemon (a project-level testTimeout is ignored).
  testTimeout: 60000,
  // Runs once for the whole run (both projects): one namespace prefix, and a sweep of it at the end.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
