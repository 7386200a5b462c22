/**
 * Owner-only permissions for the Node mode's data: the SQLite database (which holds channel keys,
 * encrypted, client-key hashes, admin sessions and request logs) and its `-wal`/`-shm` files are
 * 0600, the data folder 0700, like `secrets.json`. Existing files with looser modes (written by an
 * older version, or copied in) are tightened at start.
 *
 * An existing folder is tightened only when this process owns it and it is not a shared place (a
 * sticky folder such as /tmp, the filesystem root, the home folder): a database configured at
 * `/tmp/gw.db` must not make /tmp private. What cannot be changed (another user's file on a bind
 * mount) is reported, never fatal: the gateway still runs, and the operator is told.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, parse, resolve } from 'node:path';

/** File mode of private files (the database and its WAL/SHM). */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of the data folder. */
export const PRIVATE_DIR_MODE = 0o700;
const STICKY = 0o1000;

/** What was done to a path, for the log. `problem` set when it could not be made private. */
export interface ModeNote {
  path: string;
  /** Octal mode before, e.g. "644". */
  from: string;
  to: string;
  problem?: string;
}

const octal = (mode: number) => (mode & 0o777).toString(8);

function isOwn(uid: number): boolean {
  return typeof process.getuid !== 'function' || process.getuid() === uid;
}

/** chmod `path` to `mode` when it has more bits than that; a note when something changed or failed. */
function tighten(path: string, mode: number): ModeNote | null {
  const st = statSync(path);
  if ((st.mode & 0o777 & ~mode) === 0) return null;
  const note: ModeNote = { path, from: octal(st.mode), to: octal(mode) };
  if (!isOwn(st.uid)) return { ...note, problem: 'owned by another user' };
  try {
    chmodSync(path, mode);
  } catch (err) {
    return { ...note, problem: err instanceof Error ? err.message : String(err) };
  }
  return note;
}

/**
 * Makes `dir` (and any missing parents) exist, created 0700; an existing folder this process owns
 * is tightened to 0700 unless it is shared (sticky, the root or the home folder).
 * @returns what changed or could not be changed. @throws when the folder cannot be created.
 */
export function privateDir(dir: string): ModeNote[] {
  const abs = resolve(dir);
  if (!existsSync(abs)) {
    // Every folder `recursive` creates gets the mode (less the umask, which only removes bits).
    mkdirSync(abs, { recursive: true, mode: PRIVATE_DIR_MODE });
    return [];
  }
  const st = statSync(abs);
  if (!st.isDirectory() || (st.mode & STICKY) !== 0 || parse(abs).root === abs || abs === resolve(homedir())) return [];
  const note = tighten(abs, PRIVATE_DIR_MODE);
  return note ? [note] : [];
}

/**
 * Prepares an SQLite database path before the driver opens it: its folder private (privateDir),
 * the file created empty with 0600 when missing (SQLite would create it 0644 less the umask, and
 * creates `-wal`/`-shm` with the database file's mode), and the file and an existing `-wal`/`-shm`
 * tightened to 0600.
 * @returns what changed or could not be changed. @throws when the folder or file cannot be created.
 */
export function privateDatabaseFiles(file: string): ModeNote[] {
  const notes = privateDir(dirname(file));
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE)); // an empty file is a new SQLite database
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (!existsSync(path)) continue;
    const note = tighten(path, PRIVATE_FILE_MODE);
    if (note) notes.push(note);
  }
  return notes;
}
