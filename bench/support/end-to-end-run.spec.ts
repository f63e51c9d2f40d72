import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RelaySpec, relayLaunches } from './end-to-end-run';
import type { BenchOptions } from './scenario';

const OPTIONS: BenchOptions = { durationSeconds: 10, warmupSeconds: 2, runs: 3, connections: 32, cpuProfile: false, publishFigures: false };

function relay(overrides: Partial<RelaySpec> = {}): RelaySpec {
  return {
    name: 'Hookflow, ingress + 2 workers',
    baseline: false,
    entry: '/app/dist/src/main.js',
    cwd: '/tmp/home',
    readyPath: '/readyz',
    env: { HOOKFLOW_ROLE: 'ingress', LOG_LEVEL: 'warn' },
    storedEvents: () => Promise.resolve({ stored: 0, unfinished: 0, states: {} }),
    storage: { tables: [], backlogSql: 'SELECT 0 AS count' },
    ...overrides,
  };
}

describe('relayLaunches', () => {
  it('starts the companions from the same entry and folder on the same database, their environment over the relay’s', () => {
    const launches = relayLaunches(
      { options: OPTIONS, profileDir: '/tmp/profiles' },
      relay({
        processName: 'ingress',
        companions: [
          { name: 'worker 1', env: { HOOKFLOW_ROLE: 'worker' } },
          { name: 'worker 2', env: { HOOKFLOW_ROLE: 'worker' } },
        ],
      }),
      1,
      'postgres://bench/db1',
    );
    assert.deepEqual(
      launches.map(({ name, launch }) => [
        name,
        launch.label,
        launch.env.HOOKFLOW_ROLE,
        launch.env.LOG_LEVEL,
        launch.env.DATABASE_URL,
        launch.entry,
        launch.cwd,
      ]),
      [
        ['ingress', 'Hookflow, ingress + 2 workers (ingress)', 'ingress', 'warn', 'postgres://bench/db1', '/app/dist/src/main.js', '/tmp/home'],
        ['worker 1', 'Hookflow, ingress + 2 workers (worker 1)', 'worker', 'warn', 'postgres://bench/db1', '/app/dist/src/main.js', '/tmp/home'],
        ['worker 2', 'Hookflow, ingress + 2 workers (worker 2)', 'worker', 'warn', 'postgres://bench/db1', '/app/dist/src/main.js', '/tmp/home'],
      ],
    );
  });

  it('keeps the relay’s own name as the label of a single process, and profiles each process into its own folder', () => {
    const [single] = relayLaunches(
      { options: { ...OPTIONS, cpuProfile: true }, profileDir: '/tmp/profiles' },
      relay({ name: 'Baseline relay' }),
      2,
      'postgres://x',
    );
    assert.equal(single.name, 'relay');
    assert.equal(single.launch.label, 'Baseline relay');
    assert.deepEqual(single.launch.nodeFlags, ['--cpu-prof', '--cpu-prof-dir', '/tmp/profiles/baseline-relay', '--cpu-prof-name', 'run-2.cpuprofile']);
  });
});
