import { Inject, Injectable } from '@nestjs/common';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { HistoryFilter, HistoryRow, NewHistoryRow } from './history.types';

export const HISTORY_FILE = 'history.sqlite';

/**
 * Schema steps: MIGRATIONS[i] takes the file from `user_version` i to i + 1. Append, never edit.
 * `AUTOINCREMENT` keeps ids from being reused after the oldest rows are pruned, so a paging cursor
 * (the last id seen) stays meaningful. Each filter column has its own index; SQLite stores the rowid in
 * every index entry, so `col = ? ORDER BY id DESC` walks one index backwards without sorting.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     id      INTEGER PRIMARY KEY AUTOINCREMENT,
     ts      INTEGER NOT NULL,
     kind    TEXT    NOT NULL,
     netns   TEXT    NOT NULL,
     change  TEXT    NOT NULL,
     mac     TEXT,
     vni     INTEGER,
     vtep    TEXT,
     device  TEXT,
     payload TEXT    NOT NULL
   );
   CREATE INDEX events_ts    ON events (ts);
   CREATE INDEX events_kind  ON events (kind);
   CREATE INDEX events_netns ON events (netns);
   CREATE INDEX events_mac   ON events (mac)  WHERE mac  IS NOT NULL;
   CREATE INDEX events_vni   ON events (vni)  WHERE vni  IS NOT NULL;
   CREATE INDEX events_vtep  ON events (vtep) WHERE vtep IS NOT NULL;`,
];

/** Filters that become `column = @name`; the rest are ranges. */
const EQUAL_FILTERS = ['kind', 'netns', 'mac', 'vni', 'vtep'] as const;

type InsertParams = [
  ts: number,
  kind: string,
  netns: string,
  change: string,
  mac: string | null,
  vni: number | null,
  vtep: string | null,
  device: string | null,
  payload: string,
];
type QueryParams = Record<string, string | number>;

/**
 * The kernel-change history in `<dataDir>/history.sqlite`: the only file that imports better-sqlite3.
 * Every call is synchronous (better-sqlite3 is), so callers keep each one small: batched inserts,
 * pruning in chunks.
 */
@Injectable()
export class HistorySource {
  readonly file: string;
  private db?: Database.Database;
  private insertMany?: Database.Transaction<(rows: readonly NewHistoryRow[]) => void>;
  private boundsStmt?: Database.Statement<[], { lo: number | null; hi: number | null }>;
  private deleteUpToStmt?: Database.Statement<[number]>;
  private deleteOlderStmt?: Database.Statement<[number, number]>;
  private readonly queries = new Map<string, Database.Statement<[QueryParams], HistoryRow>>();

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'dataDir'>) {
    this.file = path.join(config.dataDir, HISTORY_FILE);
  }

  get isOpen(): boolean {
    return this.db?.open ?? false;
  }

  /** Opens (creating the directory and file as needed) and brings the schema up to date. */
  open(): void {
    if (this.isOpen) {
      return;
    }
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // A second daemon on the same data dir waits this long for a lock instead of failing at once.
    const db = new Database(this.file, { timeout: 1000 });
    try {
      // WAL: readers (the API) never block the writer; NORMAL sync is durable across a daemon crash,
      // and loses at most the last transactions on a power cut.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
      this.prepare(db);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
  }

  close(): void {
    if (!this.db?.open) {
      return;
    }
    this.db.pragma('optimize');
    this.db.close();
    this.db = undefined;
    this.queries.clear();
  }

  /** Writes all rows in one transaction. */
  insert(rows: readonly NewHistoryRow[]): void {
    if (rows.length > 0) {
      this.must(this.insertMany)(rows);
    }
  }

  query(filter: HistoryFilter): HistoryRow[] {
    const db = this.must(this.db);
    const where: string[] = [];
    const params: QueryParams = { limit: filter.limit };
    for (const name of EQUAL_FILTERS) {
      const value = filter[name];
      if (value !== undefined) {
        where.push(`${name} = @${name}`);
        params[name] = value;
      }
    }
    if (filter.since !== undefined) {
      where.push('ts >= @since');
      params.since = filter.since;
    }
    if (filter.until !== undefined) {
      where.push('ts <= @until');
      params.until = filter.until;
    }
    if (filter.beforeId !== undefined) {
      where.push('id < @beforeId');
      params.beforeId = filter.beforeId;
    }
    const sql = `SELECT id, ts, kind, netns, change, mac, vni, vtep, device, payload FROM events${
      where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''
    } ORDER BY id DESC LIMIT @limit`;
    let stmt = this.queries.get(sql);
    if (!stmt) {
      stmt = db.prepare<[QueryParams], HistoryRow>(sql);
      this.queries.set(sql, stmt);
    }
    return stmt.all(params);
  }

  /** Deletes up to `chunk` rows older than `cutoffTs`; returns how many went. */
  deleteOlderThan(cutoffTs: number, chunk: number): number {
    return this.must(this.deleteOlderStmt).run(cutoffTs, chunk).changes;
  }

  /**
   * Deletes up to `chunk` of the oldest rows beyond the newest `maxRows`. Ids only grow, so the rows
   * kept are those with `id > max(id) - maxRows`: at most maxRows, found from the two ends of the
   * primary key without counting the table.
   */
  deleteBeyond(maxRows: number, chunk: number): number {
    const { lo, hi } = this.must(this.boundsStmt).get() ?? { lo: null, hi: null };
    if (lo === null || hi === null || hi - lo + 1 <= maxRows) {
      return 0;
    }
    const upTo = Math.min(hi - maxRows, lo + chunk - 1);
    return this.must(this.deleteUpToStmt).run(upTo).changes;
  }

  /** Rows in the table (a full count: for tests and diagnostics, not for the write path). */
  count(): number {
    return this.must(this.db).prepare<[], number>('SELECT count(*) FROM events').pluck().get() ?? 0;
  }

  private prepare(db: Database.Database): void {
    const insert = db.prepare<InsertParams>(
      'INSERT INTO events (ts, kind, netns, change, mac, vni, vtep, device, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertMany = db.transaction((rows: readonly NewHistoryRow[]) => {
      for (const r of rows) {
        insert.run(
          r.ts,
          r.kind,
          r.netns,
          r.change,
          r.mac ?? null,
          r.vni ?? null,
          r.vtep ?? null,
          r.device ?? null,
          JSON.stringify(r.payload),
        );
      }
    });
    this.boundsStmt = db.prepare<[], { lo: number | null; hi: number | null }>(
      // One aggregate per SELECT: SQLite then reads each end of the primary key instead of scanning.
      'SELECT (SELECT min(id) FROM events) AS lo, (SELECT max(id) FROM events) AS hi',
    );
    this.deleteUpToStmt = db.prepare<[number]>('DELETE FROM events WHERE id <= ?');
    this.deleteOlderStmt = db.prepare<[number, number]>(
      'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? ORDER BY ts LIMIT ?)',
    );
  }

  private must<T>(value: T | undefined): T {
    if (value === undefined || !this.isOpen) {
      throw new Error(`history database ${this.file} is not open`);
    }
    return value;
  }
}

function migrate(db: Database.Database): void {
  // IMMEDIATE takes the write lock before reading the version: two daemons starting on one file migrate once.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `schema version ${version} is newer than this vxscope knows (${MIGRATIONS.length}); it was written by a newer version`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]);
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
