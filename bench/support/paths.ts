import { join } from 'node:path';

/** dist/ (this file is compiled to dist/bench/support/paths.js). */
const DIST = join(__dirname, '..', '..');

export const REPOSITORY_ROOT = join(DIST, '..');
export const RESULTS_DIR = join(REPOSITORY_ROOT, 'bench', 'results');
/** Committed figures that BENCHMARKS.md links (written only with `--figures`). */
export const PUBLISHED_FIGURES_DIR = join(REPOSITORY_ROOT, 'docs', 'benchmarks');
export const HOOKFLOW_MAIN = join(DIST, 'src', 'main.js');
export const SCENARIOS_DIR = join(DIST, 'bench', 'scenarios');

/** The compiled entry point of a server in bench/servers/. */
export function benchServer(name: string): string {
  return join(DIST, 'bench', 'servers', `${name}.js`);
}
