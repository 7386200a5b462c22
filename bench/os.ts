import { cpus, totalmem } from 'node:os';

/** One line describing the machine, for the benchmark header. */
export function os(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}
