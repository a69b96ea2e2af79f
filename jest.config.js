/** Tests run TypeScript through swc (types are checked separately by `tsc`); middy and jose ship ESM only, so they are transformed too. */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['node_modules/(?!(@middy|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Run alone afterwards (jest.heavy.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/heavy/'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // The machines have two cores; integration files each start servers, so keep parallelism modest.
  maxWorkers: 2,
  testTimeout: 30_000,
};
