import type { FaultContext } from './fault';

/** The kernel cannot change a vxlan device's VNI or port in place: delete it and create it anew. */
export async function recreateVxlan(ctx: FaultContext, o: { vni: number; port: number; learning: boolean }): Promise<void> {
  const { host, net, collectors } = ctx;
  const vx = await net.ifindex(host.netns, host.vxlan);
  await collectors.request(host.netns, 'deleteLink', { ifindex: vx });
  await net.createVxlan(ctx.lab, host, o);
}
