import { Injectable } from '@nestjs/common';

import { CaptureService } from '../capture/capture.service';
import { TopologyService } from '../topology/topology.service';
import { toVtepDto, type VtepDto, type VtepQueryDto } from './vteps.dto';

/** Remote VTEPs: the kernel's view (FDB, vxlan remotes and groups, routes) joined with the captured VTEP pairs. */
@Injectable()
export class VtepsService {
  constructor(
    private readonly topology: TopologyService,
    private readonly capture: CaptureService,
  ) {}

  list(query: VtepQueryDto): VtepDto[] {
    const vnis = this.capture.vnis({ netns: query.netns });
    return this.topology
      .remoteVteps(query.netns)
      .filter((v) => query.address === undefined || v.address === query.address)
      .map((v) => toVtepDto(v, vnis));
  }
}
