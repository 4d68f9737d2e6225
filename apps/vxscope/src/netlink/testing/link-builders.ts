import type { LinkInfo, VxlanInfo } from '../netlink.types';

/** Test builders: a vxlan device's attributes with the kernel's defaults, patched as a test needs. */
export const vxlanInfo = (patch: Partial<VxlanInfo> = {}): VxlanInfo => ({
  vni: 1,
  dstport: 4789,
  learning: true,
  srcPortMin: 0,
  srcPortMax: 0,
  proxy: false,
  rsc: false,
  l2miss: false,
  l3miss: false,
  external: false,
  ...patch,
});

/** Test builder: an up link. */
export const link = (ifindex: number, name: string, patch: Partial<LinkInfo> = {}): LinkInfo => ({
  ifindex,
  name,
  adminUp: true,
  lowerUp: true,
  operstate: 'up',
  ...patch,
});
