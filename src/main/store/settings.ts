/** Preferences kept in the store's settings table, validated on the way in and out. */
import type Database from 'better-sqlite3';
import { type Settings, SettingsSchema } from '../../shared/api';

const defaults: Settings = { theme: 'system', lastTopic: null, lastProtocol: null };

/** Reads and writes the person's preferences. */
export class SettingsRepo {
  private readonly getStmt: Database.Statement<[string], { value: string }>;
  private readonly putStmt: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.putStmt = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }

  /** The full settings object; unknown or corrupt rows fall back to the defaults. */
  get(): Settings {
    const row = this.getStmt.get('preferences');
    if (!row) return { ...defaults };
    try {
      const parsed = SettingsSchema.partial().safeParse(JSON.parse(row.value));
      return { ...defaults, ...(parsed.success ? parsed.data : {}) };
    } catch {
      return { ...defaults };
    }
  }

  /** Merges a change into the settings and returns the result. */
  set(change: Partial<Settings>): Settings {
    const next = SettingsSchema.parse({ ...this.get(), ...change });
    this.putStmt.run('preferences', JSON.stringify(next));
    return next;
  }

  /** A raw key/value for main-process state that is not a preference (window bounds). */
  getRaw(key: string): unknown {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    try {
      return JSON.parse(row.value);
    } catch {
      return undefined;
    }
  }

  /** Stores a raw JSON value under a key. */
  setRaw(key: string, value: unknown): void {
    this.putStmt.run(key, JSON.stringify(value));
  }
}
