/**
 * The three databases the store conformance suite runs on, each in a fresh, uniquely named place
 * per run (a temp folder, a MariaDB/MySQL database, a PostgreSQL database) dropped afterwards, so
 * parallel and repeated runs never collide.
 *
 * Servers: MYSQL_URL (default mysql://root@127.0.0.1:3306/test) and POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test) name an existing database to connect to for CREATE and
 * DROP DATABASE; the suite fails (does not skip) when a server is down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import postgres from 'postgres';
import { openDatabase, type DatabaseType, type OpenedDatabase } from '../../../src/node/database';

export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A place for one run's database: where to open it, and how to remove it afterwards. */
export interface Scratch {
  type: DatabaseType;
  /** What `openDatabase` takes as `path`. */
  path: string;
  /** Drops the database (or removes the folder). Close every store on it first. */
  drop(): Promise<void>;
}

/** `octo_<pid>_<random>`: a database name no other run uses. */
function uniqueName(): string {
  return `octo_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createScratch(type: DatabaseType): Promise<Scratch> {
  const name = uniqueName();
  if (type === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'octo-db-'));
    // A folder that does not exist yet: openDatabase must create it.
    return { type, path: join(dir, 'nested', 'data.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (type === 'mysql') {
    const admin = await mysql.createConnection({ uri: MYSQL_URL });
    try {
      // A case-insensitive default collation, as most servers have: key columns must still compare exactly.
      await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    } finally {
      await admin.end();
    }
    return {
      type,
      path: withDatabase(MYSQL_URL, name),
      drop: async () => {
        const c = await mysql.createConnection({ uri: MYSQL_URL });
        try {
          await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
        } finally {
          await c.end();
        }
      },
    };
  }
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    type,
    path: withDatabase(POSTGRES_URL, name),
    drop: async () => {
      const c = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
      try {
        await c.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A fresh database of `type`, migrated, with its store; `dispose` closes and drops it. */
export async function openScratch(type: DatabaseType): Promise<OpenedDatabase & { scratch: Scratch; dispose(): Promise<void> }> {
  const scratch = await createScratch(type);
  const opened = await openDatabase({ type, path: scratch.path });
  return {
    ...opened,
    scratch,
    dispose: async () => {
      await opened.close();
      await scratch.drop();
    },
  };
}

export const BACKENDS: DatabaseType[] = ['sqlite', 'mysql', 'postgres'];
