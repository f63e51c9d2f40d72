import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** CPU use during a run, in cores (1.0 = one core busy the whole time). */
export interface CpuUse {
  machine: number;
  loadGenerator: number;
  server: number;
  /** Everything else: mostly PostgreSQL, plus the kernel's network and disk work. */
  rest: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * Splits the machine's CPU time over a run between the load generator (this process), the
 * measured server and the rest, from /proc. Answers undefined where /proc is unavailable.
 */
export class CpuMeter {
  private readonly startedAt = process.hrtime.bigint();
  private readonly ownStart = process.cpuUsage();
  private readonly machineStart = machineBusyTicks();
  private readonly serverStart: number | undefined;

  constructor(private readonly serverPid: number | undefined) {
    this.serverStart = processTicks(serverPid);
  }

  stop(): CpuUse | undefined {
    const seconds = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    const machineEnd = machineBusyTicks();
    const serverEnd = processTicks(this.serverPid);
    if (this.machineStart === undefined || machineEnd === undefined || seconds <= 0) return undefined;
    const own = process.cpuUsage(this.ownStart);
    const loadGenerator = (own.user + own.system) / 1e6 / seconds;
    const machine = Math.min(availableParallelism(), (machineEnd - this.machineStart) / TICKS_PER_SECOND / seconds);
    const server = this.serverStart !== undefined && serverEnd !== undefined ? (serverEnd - this.serverStart) / TICKS_PER_SECOND / seconds : 0;
    return { machine, loadGenerator, server, rest: Math.max(0, machine - loadGenerator - server) };
  }
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
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return undefined;
  }
}

const QUIET_CORES = 0.5;
const QUIET_WAIT_MS = 90_000;

/**
 * On a shared machine, waits (up to 90 s) until other processes use less than half a core;
 * answers the cores they kept busy in the last second checked.
 */
export async function waitForQuietMachine(log: (line: string) => void): Promise<number | undefined> {
  const deadline = Date.now() + QUIET_WAIT_MS;
  let busy = await coresBusyElsewhere();
  if (busy === undefined || busy < QUIET_CORES) return busy;
  log(`  (machine busy: ${busy.toFixed(2)} cores used by other processes; waiting up to ${QUIET_WAIT_MS / 1000} s)`);
  while (busy !== undefined && busy >= QUIET_CORES && Date.now() < deadline) busy = await coresBusyElsewhere();
  return busy;
}

async function coresBusyElsewhere(): Promise<number | undefined> {
  const meter = new CpuMeter(undefined);
  await new Promise((done) => setTimeout(done, 1_000));
  const use = meter.stop();
  return use && Math.max(0, use.machine - use.loadGenerator);
}
