/**
 * Child process of two-processes.test.ts: takes the store's write lock and holds it until
 * its stdin closes, like a DSLab process stuck in a long write. Prints `locked`.
 * Usage: hold-lock.ts <dbFile>
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]!);
db.exec('BEGIN IMMEDIATE');
db.prepare(
  "INSERT INTO settings (key, value) VALUES ('held', '1') ON CONFLICT(key) DO UPDATE SET value = '1'",
).run();
fs.writeSync(1, 'locked\n');
process.stdin.on('end', () => {
  db.exec('ROLLBACK');
  db.close();
  process.exit(0);
});
process.stdin.resume();
