/** The Node logger: one JSON line per entry (like the edge's consoleLogger), below `log.level` dropped. */
import { safeLogFields } from '../lib/log-fields';
import type { Logger } from '../platform';
import { LOG_LEVELS, type LogLevel } from './config';

export interface LeveledLogger extends Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing entries at `level` or above; debug and info to stdout, warn and error to stderr. */
export function createLogger(level: LogLevel, write: { out: (line: string) => void; err: (line: string) => void } = { out: console.log, err: console.error }): LeveledLogger {
  const min = LOG_LEVELS.indexOf(level);
  const entry = (lvl: LogLevel, sink: (line: string) => void) => (msg: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(lvl) < min) return;
    // Driver errors quote the values they bound (secrets among them): never print those.
    sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...safeLogFields(fields) }));
  };
  return { debug: entry('debug', write.out), info: entry('info', write.out), warn: entry('warn', write.err), error: entry('error', write.err) };
}
