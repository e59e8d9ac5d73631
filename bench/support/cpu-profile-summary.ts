import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The source the socket write syscall is charged to: its samples are mostly waiting, not work. */
export const WRITEV = 'node: writev (socket write syscall)';

export interface Cost {
  readonly name: string;
  /** Sampled wall time: a thread descheduled mid-call (a busy machine) charges its wait to that call. */
  readonly ms: number;
  /**
   * Samples taken: V8 samples on a wall-clock timer, but a thread that is off the CPU takes one sample
   * (with a long delta) however long it waited, so the count follows CPU time where `ms` follows wall.
   */
  readonly samples: number;
}

export interface ProfileSummary {
  /**
   * CPU time charged to the innermost bundled package or file on the stack — the code that caused
   * it, so Node loading undici for jose counts as jose — or to a Node.js phase when no bundled code
   * is on the stack (compiling the bundle, reading its source map, bootstrap).
   */
  readonly bySource: readonly Cost[];
  /** The functions with the most self time, minified names mapped back to their original file. */
  readonly topFrames: readonly Cost[];
  /** Samples in the window that were not `(idle)`: the denominator for shares of CPU. */
  readonly busySamples: number;
}

/**
 * Summarises a `node --cpu-prof` profile of a cold start of `bundleFile` (which has a .map beside it).
 * `window` keeps the samples taken in [fromUs, toUs) on the profile's clock (monotonic µs, as
 * `process.hrtime.bigint() / 1000n`): init and the first request apart.
 */
export function summariseProfile(
  profileFile: string,
  bundleFile: string,
  top = 12,
  window: { readonly fromUs?: number; readonly toUs?: number } = {},
  /** Rank by sample count (CPU) instead of sampled wall time; see `Cost.samples`. */
  rankBy: 'ms' | 'samples' = 'ms',
): ProfileSummary {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  // The handler module's map, and those of its chunks (Splitting) as their code shows up.
  const bundleDir = dirname(bundleFile);
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (url: string): SourceMap | undefined => {
    if (!url.startsWith('file://') || dirname(fileURLToPath(url)) !== bundleDir) return undefined;
    const file = fileURLToPath(url);
    if (!maps.has(file)) {
      maps.set(
        file,
        existsSync(`${file}.map`)
          ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')))
          : undefined,
      );
    }
    return maps.get(file);
  };
  const inBundle = (url: string) => url.startsWith('file://') && dirname(fileURLToPath(url)) === bundleDir;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  const entryOf = (frame: CallFrame) => {
    const map = mapOf(frame.url);
    if (!map) return undefined;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    return 'originalSource' in entry && entry.originalSource ? entry : undefined;
  };
  const originalOf = (frame: CallFrame): string | undefined => entryOf(frame)?.originalSource;

  const bySource = new Map<string, { ms: number; samples: number }>();
  const byFrame = new Map<string, { ms: number; samples: number }>();
  const add = (costs: Map<string, { ms: number; samples: number }>, name: string, ms: number) => {
    const cost = costs.get(name) ?? { ms: 0, samples: 0 };
    cost.ms += ms;
    cost.samples += 1;
    costs.set(name, cost);
  };
  let busySamples = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < (window.fromUs ?? -Infinity) || at >= (window.toUs ?? Infinity)) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = nodes.get(id)?.callFrame;
    if (!leaf) return;
    if (leaf.functionName !== '(idle)') busySamples += 1;
    const leafEntry = entryOf(leaf);
    // Minified names say little: the original file and line (1-based) tell the function.
    const frameName = `${leaf.functionName || '(anonymous)'} ${leafEntry ? `${shortSource(leafEntry.originalSource)}:${leafEntry.originalLine + 1}` : leaf.url.replace(/^node:/, '') || ''}`;
    add(byFrame, frameName.trim(), ms);
    add(bySource, chargeTo(id, nodes, parents, originalOf, inBundle), ms);
  });
  return { bySource: topOf(bySource, top, rankBy), topFrames: topOf(byFrame, top, rankBy), busySamples };
}

function chargeTo(
  id: number,
  nodes: ReadonlyMap<number, ProfileNode>,
  parents: ReadonlyMap<number, number>,
  originalOf: (frame: CallFrame) => string | undefined,
  inBundle: (url: string) => boolean,
): string {
  const leaf = nodes.get(id)?.callFrame;
  if (leaf && leaf.url === '' && leaf.functionName.startsWith('(')) return leaf.functionName;
  // The socket write syscall, whoever called it: on loopback it wakes the receiving process, and a thread
  // the kernel switches out there takes its next sample there, however long it waited (see Cost.samples).
  if (leaf && leaf.url === '' && leaf.functionName === 'writev') return WRITEV;
  let phase = 'node: bootstrap and module loader';
  // The innermost Node.js module on the stack: a warm process's samples with no bundled code above them
  // are Node's sockets, HTTP and queues answering the SDK's calls, not its bootstrap.
  let nodeModule: string | undefined;
  for (let cur: number | undefined = id; cur !== undefined; cur = parents.get(cur)) {
    const frame = nodes.get(cur)?.callFrame;
    if (!frame) break;
    const original = originalOf(frame);
    if (original) return packageOf(original);
    if (frame.url.endsWith('/shipped-driver.mjs')) return 'bench: the driver (shipped-driver.mjs)';
    if (nodeModule === undefined && frame.url.startsWith('node:')) nodeModule = frame.url;
    // Scope-hoisted top-level code of bundled ES modules runs in one unmapped frame.
    if (inBundle(frame.url)) phase = 'bundle: top-level code (unmapped)';
    else if (frame.functionName === 'maybeCacheSourceMap')
      phase = 'node: reading the source map (--enable-source-maps)';
    else if (frame.functionName === 'compileSourceTextModule' && !phase.includes('source map'))
      phase = 'node: compiling the bundle';
  }
  return phase === 'node: bootstrap and module loader' && nodeModule ? nodeBucket(nodeModule) : phase;
}

/** Node's own modules by what they do, for samples no bundled code is above. */
function nodeBucket(url: string): string {
  const module = url.replace(/^node:/, '');
  if (/^(?:_http_|https?$|internal\/http)/.test(module)) return 'node: http (no bundled code above)';
  if (/^(?:net$|stream$|internal\/stream|internal\/streams\/|internal\/net|dns$)/.test(module))
    return 'node: sockets and streams (no bundled code above)';
  if (/^internal\/process\/task_queues|^internal\/timers|^timers$/.test(module))
    return 'node: promise, tick and timer queues';
  if (/^internal\/crypto\//.test(module)) return 'node: crypto (no bundled code above)';
  if (/^internal\/modules\/|^internal\/bootstrap\/|^internal\/main\//.test(module))
    return 'node: bootstrap and module loader';
  return `node: ${module}`;
}

function packageOf(original: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original);
  return pkg?.[1] ?? shortSource(original);
}

function shortSource(original: string): string {
  return original.replace(/^.*node_modules\//, '').replace(/^(?:\.\.\/)+/, '');
}

function topOf(
  costs: ReadonlyMap<string, { ms: number; samples: number }>,
  top: number,
  rankBy: 'ms' | 'samples',
): Cost[] {
  return [...costs]
    .map(([name, c]) => ({ name, ms: Math.round(c.ms * 10) / 10, samples: c.samples }))
    .sort((a, b) => b[rankBy] - a[rankBy])
    .slice(0, top);
}
