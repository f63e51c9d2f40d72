import { EndToEndSettings, RelaySpec } from '../support/end-to-end-run';
import { formatRolesTable } from '../support/end-to-end-table';
import { endToEndRounds, hookflowRelay, oneStepWorkflowFiles, relayRunSettings, startDeliveryBench } from '../support/relays';
import type { Scenario } from '../support/scenario';

const RATE_PER_SECOND = 200;
/** BENCH_E2E_RATE_SECONDS shortens the fixed-rate phase for smoke runs, as in the e2e scenario. */
const RATE_SECONDS = Number(process.env.BENCH_E2E_RATE_SECONDS ?? 15);
/** Worker processes behind one ingress, one split variant each; BENCH_ROLES_WORKERS=1 measures only the pair. */
const WORKER_COUNTS = (process.env.BENCH_ROLES_WORKERS ?? '1,2').split(',').map(Number);

/**
 * The e2e workload (one signed http step per event) against Hookflow run three ways on this
 * one machine: one process in role `all`, and one `ingress` process (which receives the load)
 * with one or two `worker` processes on the same database. Whether splitting pays where
 * every process, PostgreSQL and the load generator share the same cores.
 */
export const scenario: Scenario = {
  name: 'roles',
  description: 'Split roles on one machine: the e2e workload against role all vs ingress + worker(s) on one database (about 6 minutes)',
  order: 31,
  async run(context) {
    if (!WORKER_COUNTS.every((workers) => Number.isInteger(workers) && workers > 0)) {
      throw new Error(`BENCH_ROLES_WORKERS must list worker counts of 1 or more, e.g. 1,2 (got ${process.env.BENCH_ROLES_WORKERS})`);
    }
    const { receiver, env } = await startDeliveryBench(context);
    const workflows = oneStepWorkflowFiles('bench-roles-deliver');
    const all: RelaySpec = { ...(await hookflowRelay(context, env, { name: 'Hookflow, role all', workflows })), baseline: true };
    const split = await Promise.all(
      WORKER_COUNTS.map((workers) =>
        hookflowRelay(context, env, { name: `Hookflow, ingress + ${workers === 1 ? 'worker' : `${workers} workers`}`, workflows, workers }),
      ),
    );
    const settings: EndToEndSettings = { ...relayRunSettings(context, receiver), ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS };
    context.log(
      `-- receiver on ${env.RECEIVER_URL} (in the bench process); the load goes to the role-all or ingress process; per run: ` +
        `${context.options.warmupSeconds} s warm-up, ${RATE_PER_SECOND}/s for ${RATE_SECONDS} s, ${context.options.durationSeconds} s at ${context.options.connections} connections`,
    );
    const summaries = await endToEndRounds(context, settings, [all, ...split]);
    const notes = [
      '',
      'CPU cores and peak RSS per process in the order the row names them, then their sum; CPU over the saturation phase (load only),',
      'peak RSS (VmHWM) over the whole run. Ratios compare medians with role all.',
    ].join('\n');
    context.report('Split roles on one machine: role all vs ingress + workers, end to end', formatRolesTable(summaries, RATE_PER_SECOND) + '\n' + notes, {
      settings: { ratePerSecond: RATE_PER_SECOND, rateSeconds: RATE_SECONDS, drainLimitSeconds: settings.drainLimitSeconds, workerCounts: WORKER_COUNTS },
      summaries,
    });
  },
};
