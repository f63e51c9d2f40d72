import { readFileSync } from 'node:fs';

/** A process's resident memory, from the kernel's accounting (bytes). */
export interface ProcessMemory {
  /** VmHWM: the highest resident set size the process reached in its life. */
  peakRssBytes: number;
  /** VmRSS: the resident set size when it was read. */
  rssBytes: number;
}

/** Reads VmHWM and VmRSS from the text of `/proc/<pid>/status`; undefined when either is missing. */
export function parseProcStatusMemory(status: string): ProcessMemory | undefined {
  const bytes = (field: string) => {
    const match = new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const peakRssBytes = bytes('VmHWM');
  const rssBytes = bytes('VmRSS');
  return peakRssBytes === undefined || rssBytes === undefined ? undefined : { peakRssBytes, rssBytes };
}

/** The memory of a running process; undefined where /proc is unavailable or the process is gone. */
export function readProcessMemory(pid: number | undefined): ProcessMemory | undefined {
  if (pid === undefined) return undefined;
  try {
    return parseProcStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function mebibytes(bytes: number): number {
  return bytes / (1024 * 1024);
}
