import { getSystemErrorMap } from 'node:util';

/**
 * A rtnetlink change that failed: the kernel's NACK (`errno` set), a request the kernel never
 * answered (`code` 'ETIMEDOUT'), a socket failure (the socket's code, or 'EIO'), or arguments
 * refused before sending (`code` 'EINVAL', no `errno`).
 * Plain fields, so it can be rebuilt on the far side of the collector's IPC channel.
 */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';

  constructor(
    /** The NetlinkSource method, e.g. 'createVxlan'. */
    readonly op: string,
    /** errno name: 'EEXIST', 'ENODEV', … */
    readonly code: string,
    /** The kernel's errno (positive), when the kernel answered. */
    readonly errno: number | undefined,
    message: string,
  ) {
    super(message);
  }

  /** From the negative error of an NLMSG_ERROR, e.g. -17 → EEXIST "file already exists". */
  static fromErrno(op: string, what: string, errno: number): NetlinkError {
    const [code, text] = getSystemErrorMap().get(-Math.abs(errno)) ?? [`E${Math.abs(errno)}`, 'unknown error'];
    return new NetlinkError(op, code, Math.abs(errno), `${op} ${what}: ${code} (${text})`);
  }

  static invalid(op: string, what: string, reason: string): NetlinkError {
    return new NetlinkError(op, 'EINVAL', undefined, `${op} ${what}: ${reason}`);
  }
}
