/**
 * Per-channel and per-user settings that must survive restarts: a channel's auto-alt-text opt-in and a user's
 * opt-out. Stored in SQLite (`<dataDir>/glance.sqlite`, WAL journal), schema created and upgraded by numbered
 * migrations tracked in `PRAGMA user_version`. This is the only file that imports better-sqlite3.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

export const SETTINGS_FILE_NAME = 'glance.sqlite';

/** Migration n (1-based) brings the schema from version n-1 to n. Append only; never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE channel_settings (
     platform TEXT NOT NULL,
     channel_id TEXT NOT NULL,
     auto_alt_text INTEGER NOT NULL DEFAULT 0,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (platform, channel_id)
   ) WITHOUT ROWID;
   CREATE TABLE user_settings (
     platform TEXT NOT NULL,
     user_id TEXT NOT NULL,
     opted_out INTEGER NOT NULL DEFAULT 0,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (platform, user_id)
   ) WITHOUT ROWID;`,
];

function requireId(what: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new GlanceError(ErrorCode.InvalidInput, `settings: ${what} must be a non-empty string.`);
  }
}

export class SettingsStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements: {
    setChannel: Database.Statement<[string, string, number, number]>;
    getChannel: Database.Statement<[string, string], { auto_alt_text: number }>;
    setUser: Database.Statement<[string, string, number, number]>;
    getUser: Database.Statement<[string, string], { opted_out: number }>;
  };

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.statements = {
      setChannel: db.prepare(
        `INSERT INTO channel_settings (platform, channel_id, auto_alt_text, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (platform, channel_id) DO UPDATE SET auto_alt_text = excluded.auto_alt_text, updated_at = excluded.updated_at`,
      ),
      getChannel: db.prepare('SELECT auto_alt_text FROM channel_settings WHERE platform = ? AND channel_id = ?'),
      setUser: db.prepare(
        `INSERT INTO user_settings (platform, user_id, opted_out, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (platform, user_id) DO UPDATE SET opted_out = excluded.opted_out, updated_at = excluded.updated_at`,
      ),
      getUser: db.prepare('SELECT opted_out FROM user_settings WHERE platform = ? AND user_id = ?'),
    };
  }

  /** Opens (creating the folder, file and schema as needed) `<dataDir>/glance.sqlite`. */
  static open(dataDir: string): SettingsStore {
    const path = join(dataDir, SETTINGS_FILE_NAME);
    let db: Database.Database;
    try {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(path);
    } catch (error) {
      throw new GlanceError(ErrorCode.ConfigInvalid, `The settings database ${path} cannot be opened (GLANCE_DATA_DIR): ${(error as Error).message}`, { path }, { cause: error });
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      SettingsStore.migrate(db, path);
    } catch (error) {
      db.close();
      if (error instanceof GlanceError) throw error;
      throw new GlanceError(ErrorCode.ConfigInvalid, `The settings database ${path} is not usable: ${(error as Error).message}`, { path }, { cause: error });
    }
    return new SettingsStore(path, db);
  }

  /** The schema version this code writes. */
  static get schemaVersion(): number {
    return MIGRATIONS.length;
  }

  private static migrate(db: Database.Database, path: string): void {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new GlanceError(ErrorCode.ConfigInvalid, `The settings database ${path} has schema version ${version}, newer than this glance (${MIGRATIONS.length}); upgrade glance or use another GLANCE_DATA_DIR.`, { path, version });
    }
    for (let next = version; next < MIGRATIONS.length; next += 1) {
      db.transaction(() => {
        db.exec(MIGRATIONS[next]);
        db.pragma(`user_version = ${next + 1}`);
      })();
    }
  }

  setChannelAutoAltText(platform: string, channelId: string, enabled: boolean): void {
    requireId('platform', platform);
    requireId('channel id', channelId);
    this.statements.setChannel.run(platform, channelId, enabled ? 1 : 0, Date.now());
  }

  /** False for a channel never set. */
  isChannelAutoAltText(platform: string, channelId: string): boolean {
    return this.channelAutoAltText(platform, channelId) === true;
  }

  /** The channel's own setting: true (on), false (turned off), undefined (never set: a thread then follows its channel). */
  channelAutoAltText(platform: string, channelId: string): boolean | undefined {
    const row = this.statements.getChannel.get(platform, channelId);
    return row === undefined ? undefined : row.auto_alt_text === 1;
  }

  setUserOptOut(platform: string, userId: string, optedOut: boolean): void {
    requireId('platform', platform);
    requireId('user id', userId);
    this.statements.setUser.run(platform, userId, optedOut ? 1 : 0, Date.now());
  }

  /** False for a user never set. */
  isUserOptedOut(platform: string, userId: string): boolean {
    return this.statements.getUser.get(platform, userId)?.opted_out === 1;
  }

  /** Closes the database; later calls throw. Closing twice is harmless. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
