/** The tests that load DynamoDB Local for minutes: run alone, after the main suite, so they slow nothing else down. */
const base = require('./jest.config');
module.exports = { ...base, testMatch: ['<rootDir>/test/heavy/**/*.test.ts'], testPathIgnorePatterns: [], maxWorkers: 1 };
