import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Reads a .cpuprofile, keeping only the samples taken at or after `fromUs` (monotonic µs). */
function readProfile(file: string, fromUs: number): CpuProfile {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (!fromUs) return profile;
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= fromUs) {
      samples.push(id);
      timeDeltas.push(profile.timeDeltas[i] ?? 0);
    }
  });
  return { ...profile, samples, timeDeltas };
}

/** One frame's self time in a .cpuprofile. */
export interface FrameTime {
  frame: string;
  selfMs: number;
  share: number;
}

const shortUrl = (url: string) => {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const pk = url.indexOf('/packages/');
  if (pk >= 0) return url.slice(pk + 1);
  return url.replace(/^.*\//, '');
};

/**
 * Self time per frame (function + file + line) from a V8 .cpuprofile, largest first. Samples
 * are weighted by their time delta. "(idle)" is left out of the shares; "(program)" and
 * "(garbage collector)" stay in.
 */
export function topSelfFrames(
  file: string,
  n = 5,
  fromUs = 0,
): { top: FrameTime[]; totalMs: number; idleMs: number } {
  const profile = readProfile(file, fromUs);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let idle = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    const name = functionName || '(anonymous)';
    const key = url ? `${name} ${shortUrl(url)}:${lineNumber + 1}` : name;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([frame, us]) => ({ frame, selfMs: us / 1000, share: us / total }));
  return { top, totalMs: total / 1000, idleMs: idle / 1000 };
}

/** The package (or area) a frame's URL belongs to. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native / V8 builtins';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const pk = url.match(/\/packages\/([^/]+)\//);
  if (pk) return `@milkyway/${pk[1]}`;
  if (url.includes('/bench/src/')) return 'bench (route code)';
  if (url.startsWith('node:') || !url.startsWith('file:')) return 'node internals';
  return 'other';
}

/**
 * Self time grouped by package/area. Time spent in node internals or native code (Headers,
 * streams, the writev syscall) is charged to the nearest caller on the stack that belongs to a
 * package, so "node internals" only keeps what no package called (socket reads, timers).
 */
export function selfByArea(
  file: string,
  fromUs = 0,
): { area: string; selfMs: number; ownMs: number; share: number }[] {
  const profile = readProfile(file, fromUs);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const generic = new Set(['node internals', 'native / V8 builtins', 'other']);
  const charged = new Map<number, string>();
  const areaFor = (id: number): string => {
    const known = charged.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    let area = areaOf(node.callFrame.url, node.callFrame.functionName);
    if (generic.has(area)) {
      let up = parent.get(id);
      while (up !== undefined) {
        const n = byId.get(up)!;
        const a = areaOf(n.callFrame.url, n.callFrame.functionName);
        if (!generic.has(a) && !a.startsWith('(')) {
          area = `${a}\u0000`;
          break;
        }
        up = parent.get(up);
      }
    }
    charged.set(id, area);
    return area;
  };
  const self = new Map<string, { total: number; own: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    total += dt;
    const charged = areaFor(id);
    const viaCaller = charged.endsWith('\u0000');
    const area = viaCaller ? charged.slice(0, -1) : charged;
    const entry = self.get(area) ?? { total: 0, own: 0 };
    entry.total += dt;
    if (!viaCaller) entry.own += dt;
    self.set(area, entry);
  });
  return [...self.entries()]
    .sort((a, b) => b[1].total - a[1].total)
    .map(([area, t]) => ({
      area,
      selfMs: t.total / 1000,
      ownMs: t.own / 1000,
      share: t.total / total,
    }));
}
