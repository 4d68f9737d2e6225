import { Inject, Injectable } from '@nestjs/common';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { LabRecord } from './lab.types';

/** Lab records as JSON files in `<dataDir>/labs`; the only file I/O of the lab module. */
@Injectable()
export class LabRecordSource {
  private readonly dir: string;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'dataDir'>) {
    this.dir = path.join(config.dataDir, 'labs');
  }

  list(): LabRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => /^[0-9a-f]{4}\.json$/.test(n));
    } catch {
      return [];
    }
    const out: LabRecord[] = [];
    for (const n of names) {
      try {
        out.push(JSON.parse(readFileSync(path.join(this.dir, n), 'utf8')) as LabRecord);
      } catch {
        // A half-written record is skipped; the write below is atomic, so this is a foreign file.
      }
    }
    return out;
  }

  /** Writes atomically (temp file + rename), so a crash never leaves a half record. */
  save(record: LabRecord): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, `${record.id}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  remove(id: string): void {
    rmSync(path.join(this.dir, `${id}.json`), { force: true });
  }
}
