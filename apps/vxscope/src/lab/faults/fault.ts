import type { ChildProcess } from 'node:child_process';

import type { CollectorService } from '../../collector/collector.service';
import type { CommandRunner } from '../command.runner';
import type { LabNetwork } from '../lab-network';
import type { LabHost, LabRecord } from '../lab.types';

export type FaultState = Readonly<Record<string, string | number | boolean>>;

export interface FaultContext {
  readonly lab: LabRecord;
  readonly host: LabHost;
  readonly net: LabNetwork;
  readonly run: CommandRunner;
  readonly collectors: CollectorService;
  /** Background processes a fault starts (mac-flap); stopped by its revert and by lab deletion. */
  readonly processes: Map<string, ChildProcess[]>;
  readonly faultId: string;
}

/** One way to break a lab on purpose; `revert` undoes exactly what `apply` did, from the state it returned. */
export interface Fault {
  /** What the probe should show while the fault is in place. */
  readonly effect: string;
  apply(ctx: FaultContext): Promise<FaultState>;
  revert(ctx: FaultContext, state: FaultState): Promise<void>;
}
