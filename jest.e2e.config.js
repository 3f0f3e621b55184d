// End-to-end tests: the built apps (npm run build first) in headless Chromium
// against a real server, database and test model server. One file at a time:
// each starts a server and a browser.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
