// `node dist/bench/profile-summary.js <file.cpuprofile | folder> [--top 25]`: where the CPU
// time of a server went (from `npm run bench -- <scenario> --cpu-prof`), by package and by
// function, both self time and total time (time with the function anywhere on the stack).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

type Totals = Map<string, number>;

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  if (positionals.length === 0) throw new Error('usage: profile-summary.js <file.cpuprofile | folder>... [--top 25]');
  const files = positionals.flatMap(profilesIn);
  const self: Totals = new Map();
  const total: Totals = new Map();
  const packages: Totals = new Map();
  let sampled = 0;
  for (const file of files) sampled += accumulate(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, self, total, packages);
  const top = Number(values.top);
  process.stdout.write(`${files.length} profile(s), ${(sampled / 1000).toFixed(0)} ms sampled\n`);
  print('Self time by package or area', packages, sampled, top);
  print('Self time by function', self, sampled, top);
  print('Total time by function (on the stack)', total, sampled, top);
}

function profilesIn(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .flatMap((name) => profilesIn(join(path, name)))
    .filter((file) => file.endsWith('.cpuprofile'));
}

/** Adds one profile's sample time (µs) to the tallies; answers the time sampled. */
function accumulate(profile: CpuProfile, self: Totals, total: Totals, packages: Totals): number {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  let sampled = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index + 1] ?? 0;
    const node = byId.get(id)!;
    sampled += delta;
    add(self, label(node), delta);
    add(packages, area(node.callFrame.url, node.callFrame.functionName), delta);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const key = label(byId.get(current)!);
      if (!seen.has(key)) {
        seen.add(key);
        add(total, key, delta);
      }
    }
  });
  return sampled;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url
        .replace(/^file:\/\//, '')
        .replace(/.*\/node_modules\//, '')
        .replace(/.*\/dist\//, 'dist/')}:${lineNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  if (modules) return modules[modules.length - 1].replace('node_modules/', '');
  if (url.startsWith('node:')) return 'node: core';
  const dist = url.match(/\/dist\/((?:src|bench)\/[^/]+)/);
  return dist ? dist[1] : url;
}

function add(totals: Totals, key: string, value: number): void {
  totals.set(key, (totals.get(key) ?? 0) + value);
}

function print(title: string, totals: Totals, sampled: number, top: number): void {
  process.stdout.write(`\n${title}\n`);
  const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, value] of rows) {
    process.stdout.write(`${((value / sampled) * 100).toFixed(1).padStart(6)}%  ${(value / 1000).toFixed(0).padStart(7)} ms  ${key}\n`);
  }
}

main();
