import { randomBytes } from 'node:crypto';

let counter = 0;

/** A namespace prefix unique to this test run and this suite (≤ 15 chars leaves room for "-h1"). */
export function uniquePrefix(): string {
  const run = process.env.VXSCOPE_TEST_PREFIX ?? `vxt${randomBytes(3).toString('hex')}`;
  counter += 1;
  return `${run}-${process.pid % 1000}${counter}`;
}
