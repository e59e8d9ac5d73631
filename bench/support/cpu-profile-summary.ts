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

export interface Cost {
  readonly name: string;
  readonly ms: number;
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

  const originalOf = (frame: CallFrame): string | undefined => {
    const map = mapOf(frame.url);
    if (!map) return undefined;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    return 'originalSource' in entry && entry.originalSource !== '' ? entry.originalSource : undefined;
  };

  const bySource = new Map<string, number>();
  const byFrame = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < (window.fromUs ?? -Infinity) || at >= (window.toUs ?? Infinity)) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = nodes.get(id)?.callFrame;
    if (!leaf) return;
    const leafSource = originalOf(leaf);
    const frameName = `${leaf.functionName || '(anonymous)'} ${leafSource ? shortSource(leafSource) : leaf.url.replace(/^node:/, '') || ''}`;
    byFrame.set(frameName.trim(), (byFrame.get(frameName.trim()) ?? 0) + ms);
    const source = chargeTo(id, nodes, parents, originalOf, inBundle);
    bySource.set(source, (bySource.get(source) ?? 0) + ms);
  });
  return { bySource: topOf(bySource, top), topFrames: topOf(byFrame, top) };
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
  let phase = 'node: bootstrap and module loader';
  for (let cur: number | undefined = id; cur !== undefined; cur = parents.get(cur)) {
    const frame = nodes.get(cur)?.callFrame;
    if (!frame) break;
    const original = originalOf(frame);
    if (original) return packageOf(original);
    // Scope-hoisted top-level code of bundled ES modules runs in one unmapped frame.
    if (inBundle(frame.url)) phase = 'bundle: top-level code (unmapped)';
    else if (frame.functionName === 'maybeCacheSourceMap')
      phase = 'node: reading the source map (--enable-source-maps)';
    else if (frame.functionName === 'compileSourceTextModule' && !phase.includes('source map'))
      phase = 'node: compiling the bundle';
  }
  return phase;
}

function packageOf(original: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original);
  return pkg?.[1] ?? shortSource(original);
}

function shortSource(original: string): string {
  return original.replace(/^.*node_modules\//, '').replace(/^(?:\.\.\/)+/, '');
}

function topOf(costs: ReadonlyMap<string, number>, top: number): Cost[] {
  return [...costs]
    .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}
