import { randomBytes } from 'node:crypto';

/** One namespace prefix per test run, so concurrent runs never touch each other's namespaces. */
export default function globalSetup(): void {
  process.env.VXSCOPE_TEST_PREFIX = `vxt${randomBytes(3).toString('hex')}`;
}
