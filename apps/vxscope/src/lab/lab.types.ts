import type { FaultType, LabMode } from './lab.dto';

/** Everything a lab made, recorded on disk before it is made, so that a crash leaves a list to clean. */
export interface LabEndpoint {
  readonly index: number;
  readonly netns: string;
  readonly ifname: string;
  /** The veth end in the host namespace, enslaved to the host's bridge. */
  readonly hostIf: string;
  readonly ip: string;
  readonly mac: string;
}

export interface LabHost {
  readonly index: number;
  readonly netns: string;
  readonly underlayIf: string;
  readonly underlayIp: string;
  /** This host's port on the underlay switch. */
  readonly switchPort: string;
  readonly bridge: string;
  readonly vxlan: string;
  readonly endpoints: readonly LabEndpoint[];
}

export interface LabSpec {
  readonly mode: LabMode;
  readonly hosts: number;
  readonly vni: number;
  readonly port: number;
  readonly mtu: number;
  readonly endpointsPerHost: number;
  readonly learning: boolean;
  readonly group?: string;
}

export interface LabFault {
  readonly id: string;
  readonly type: FaultType;
  readonly host: number;
  readonly appliedAt: string;
  /** What the probe should show while it is in place. */
  readonly effect: string;
  /** What the fault changed, as the revert needs it (plain data). */
  readonly state: Readonly<Record<string, string | number | boolean>>;
}

export type LabState = 'building' | 'ready' | 'failed' | 'deleting';

export interface LabRecord {
  readonly id: string;
  readonly prefix: string;
  readonly ownerPid: number;
  readonly createdAt: string;
  readonly spec: LabSpec;
  /** Small per-lab number that keeps address ranges of concurrent labs apart. */
  readonly slot: number;
  readonly underlaySubnet: string;
  readonly overlaySubnet: string;
  /** The underlay: a namespace with bridge `ubr0` and one veth port per host. */
  readonly switchNetns: string;
  readonly hosts: readonly LabHost[];
  /** Every namespace the lab creates, in creation order. */
  readonly namespaces: readonly string[];
  state: LabState;
  error?: string;
  faults: LabFault[];
}
