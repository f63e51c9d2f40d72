import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** CPU use during a run, in cores (1.0 = one core busy the whole time). */
export interface CpuUse {
  machine: number;
  loadGenerator: number;
  server: number;
  /** Each companion process of the server (e.g. Hookflow workers beside an ingress), in order. */
  companions?: number[];
  /** The embedded PostgreSQL (postmaster and backends); undefined for an external server. */
  database?: number;
  /**
   * The rest of the machine: other processes (the machine is shared) and kernel time not
   * charged to a process. Includes PostgreSQL when it is not embedded.
   */
  rest: number;
}

/** The processes a meter follows: the measured server and the database server's tree. */
export interface MeteredProcesses {
  serverPid?: number;
  /** Processes that work beside the server without receiving the load (Hookflow workers), metered one by one. */
  companionPids?: (number | undefined)[];
  /** The embedded PostgreSQL's postmaster; its children (the backends) are counted with it. */
  databasePid?: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * Splits the machine's CPU time over a run between the load generator (this process), the
 * measured server, the database and the rest, from /proc. Answers undefined where /proc is
 * unavailable.
 */
export class CpuMeter {
  private readonly startedAt = process.hrtime.bigint();
  private readonly ownStart = process.cpuUsage();
  private readonly machineStart = machineBusyTicks();
  private readonly serverStart: number | undefined;
  private readonly companionStarts: (number | undefined)[];
  private readonly databaseStart: Map<number, number>;
  private readonly processes: MeteredProcesses;

  /** `processes` may also be just the server's pid. */
  constructor(processes: MeteredProcesses | number | undefined = {}) {
    this.processes = typeof processes === 'object' ? processes : { serverPid: processes };
    this.serverStart = processTicks(this.processes.serverPid);
    this.companionStarts = (this.processes.companionPids ?? []).map(processTicks);
    this.databaseStart = treeTicks(this.processes.databasePid);
  }

  stop(): CpuUse | undefined {
    const seconds = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    const machineEnd = machineBusyTicks();
    const serverEnd = processTicks(this.processes.serverPid);
    if (this.machineStart === undefined || machineEnd === undefined || seconds <= 0) return undefined;
    const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
    const own = process.cpuUsage(this.ownStart);
    const loadGenerator = (own.user + own.system) / 1e6 / seconds;
    const machine = Math.min(availableParallelism(), cores(machineEnd - this.machineStart));
    const between = (start: number | undefined, end: number | undefined) => (start !== undefined && end !== undefined ? cores(end - start) : 0);
    const server = between(this.serverStart, serverEnd);
    const companions = (this.processes.companionPids ?? []).map((pid, index) => between(this.companionStarts[index], processTicks(pid)));
    const database = this.processes.databasePid === undefined ? undefined : cores(this.databaseTicksSinceStart());
    const measured = loadGenerator + server + companions.reduce((sum, used) => sum + used, 0) + (database ?? 0);
    return { machine, loadGenerator, server, ...(companions.length ? { companions } : {}), database, rest: Math.max(0, machine - measured) };
  }

  /** Backends that exited during the run are lost; the measured servers keep theirs open. */
  private databaseTicksSinceStart(): number {
    let ticks = 0;
    for (const [pid, now] of treeTicks(this.processes.databasePid)) ticks += now - (this.databaseStart.get(pid) ?? 0);
    return ticks;
  }
}

const QUIET_CORES = 0.5;
const QUIET_WAIT_MS = 90_000;

/**
 * On a shared machine, waits (up to 90 s) until other processes use less than half a core;
 * answers the cores they kept busy in the last second checked.
 */
export async function waitForQuietMachine(log: (line: string) => void, databasePid?: number): Promise<number | undefined> {
  const deadline = Date.now() + QUIET_WAIT_MS;
  let busy = await coresBusyElsewhere(databasePid);
  if (busy === undefined || busy < QUIET_CORES) return busy;
  log(`  (machine busy: ${busy.toFixed(2)} cores used by other processes; waiting up to ${QUIET_WAIT_MS / 1000} s)`);
  while (busy !== undefined && busy >= QUIET_CORES && Date.now() < deadline) busy = await coresBusyElsewhere(databasePid);
  return busy;
}

async function coresBusyElsewhere(databasePid: number | undefined): Promise<number | undefined> {
  const meter = new CpuMeter({ databasePid });
  await new Promise((done) => setTimeout(done, 1_000));
  return meter.stop()?.rest;
}

function machineBusyTicks(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return user + nice + system + irq + softirq + (steal ?? 0);
  } catch {
    return undefined;
  }
}

function processTicks(pid: number | undefined): number | undefined {
  const stat = pid === undefined ? undefined : readStat(pid);
  return stat && stat.ticks;
}

/** CPU ticks of a process and its direct children (a postmaster and its backends), by pid. */
function treeTicks(rootPid: number | undefined): Map<number, number> {
  const ticks = new Map<number, number>();
  if (rootPid === undefined) return ticks;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return ticks;
  }
  for (const pid of pids.map(Number)) {
    const stat = readStat(pid);
    if (stat && (pid === rootPid || stat.parentPid === rootPid)) ticks.set(pid, stat.ticks);
  }
  return ticks;
}

function readStat(pid: number): { parentPid: number; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { parentPid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }; // ppid, utime + stime
  } catch {
    return undefined;
  }
}
