/**
 * Reads a V8 CPU profile (`node --cpu-prof`, a .cpuprofile JSON) and lists where the time went:
 * self time per function and per source file, with bundle positions mapped back to the TypeScript
 * sources through the bundle's source map (node:module SourceMap; esbuild writes `*.mjs.map`).
 * Format: Chrome DevTools Protocol `Profiler.Profile` (nodes with callFrame, samples, timeDeltas µs).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number; // 0-based
  columnNumber: number; // 0-based
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one function (or one file). */
export interface SelfTime {
  name: string;
  /** Source position, `worker/src/relay/pipeline.ts:120`, or a runtime category. */
  where: string;
  ms: number;
  /** Share of the busy time (idle excluded), 0..1. */
  share: number;
}

export interface ProfileSummary {
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  /** Wall time of the profile, ms. */
  wallMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

/**
 * A package's own source map names its sources `../src/x.ts`, which esbuild composes into
 * `node_modules/src/x.ts`: find the package that ships `x.js` (drizzle-orm does this).
 */
function ownerPackage(root: string, rest: string, cache: Map<string, string>): string {
  const hit = cache.get(rest);
  if (hit !== undefined) return hit;
  const js = rest.replace(/\.ts$/, '.js');
  let owner = '?';
  for (const d of readdirSync(join(root, 'node_modules'))) {
    if (!d.startsWith('.') && existsSync(join(root, 'node_modules', d, js))) {
      owner = d;
      break;
    }
  }
  cache.set(rest, owner);
  return owner;
}

/**
 * Summarises a profile. @param root repository root (paths are shown relative to it)
 * @param top how many functions and files to keep
 * @param window only samples taken in [from, to], µs of CLOCK_MONOTONIC (V8's profile clock, the
 *   same as `process.hrtime`), so start-up and shutdown stay out of a load's profile
 */
export function summariseProfile(file: string, root: string, top = 25, window?: [number, number]): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (window && (t < window[0] || t > window[1])) continue;
    first = Math.min(first, t);
    last = Math.max(last, t);
    // timeDeltas[i + 1] is the time until the next sample: charge it to this one.
    const d = p.timeDeltas[i + 1] ?? 0;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + d);
  }
  const owners = new Map<string, string>();
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (url: string): SourceMap | null => {
    if (maps.has(url)) return maps.get(url)!;
    let m: SourceMap | null = null;
    try {
      const path = url.startsWith('file://') ? fileURLToPath(url) : url;
      if (existsSync(`${path}.map`)) m = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {}
    maps.set(url, m);
    return m;
  };
  const locate = (cf: CallFrame): string => {
    if (!cf.url) return cf.functionName.startsWith('(') ? 'runtime' : 'native';
    if (cf.url.startsWith('node:')) return cf.url;
    const m = mapFor(cf.url);
    if (m) {
      const e = m.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; originalLine?: number };
      if (e?.originalSource) {
        const bundle = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
        const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : resolve(dirname(bundle), e.originalSource);
        let rel = relative(root, src);
        const own = /^node_modules\/src\/(.*)$/.exec(rel);
        if (own) rel = `node_modules/${ownerPackage(root, own[1]!, owners)}/src/${own[1]}`;
        return `${rel}:${(e.originalLine ?? 0) + 1}`;
      }
    }
    const path = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
    return `${relative(root, path)}:${cf.lineNumber + 1}`;
  };
  const fns = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += us;
    const where = locate(cf);
    const name = cf.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const f = fns.get(key) ?? { name, where, us: 0 };
    f.us += us;
    fns.set(key, f);
    const fileKey = name.startsWith('(') && where === 'runtime' ? name : where.replace(/:\d+$/, '').replace(/^(node_modules\/(@[^/]+\/)?[^/]+)\/.*$/, '$1');
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const share = (us: number) => (busy > 0 ? us / busy : 0);
  return {
    busyMs: busy / 1000,
    wallMs: Number.isFinite(first) ? (last - first) / 1000 : 0,
    functions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: share(f.us) })),
    files: [...files.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([where, us]) => ({ name: where, where, ms: us / 1000, share: share(us) })),
  };
}

/** Live objects of one kind in a heap snapshot. */
export interface HeapKind {
  /** `object:Constructor`, `closure:name`, or a V8 node type (`code`, `array`, `string`…). */
  kind: string;
  count: number;
  bytes: number;
}

/**
 * Sums a V8 heap snapshot (`--heapsnapshot-signal`, `.heapsnapshot` JSON; V8 takes it after a full
 * GC, so it holds only live objects) by kind, largest first. Format: `snapshot.meta.node_fields`
 * describes the flat `nodes` array (type, name, id, self_size, …), names index `strings`.
 */
export function summariseHeap(file: string, top = 20): { totalBytes: number; kinds: HeapKind[] } {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const by = new Map<string, HeapKind>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!]!;
    const kind = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + iName]!]}` : type;
    const size = snap.nodes[i + iSize]!;
    total += size;
    const k = by.get(kind) ?? { kind, count: 0, bytes: 0 };
    k.count++;
    k.bytes += size;
    by.set(kind, k);
  }
  return { totalBytes: total, kinds: [...by.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top) };
}
