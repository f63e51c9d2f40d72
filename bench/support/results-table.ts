import type { ServerSummary } from './server-comparison';

const HEADER = ['| Server | Accepted req/s (median) | 3 runs | p50 ms | p99 ms | non-2xx | errors | vs insert baseline |', '|---|--:|---|--:|--:|--:|--:|--:|'];

/** The Markdown table of one comparison: one row per server, medians over the runs. */
export function formatResultsTable(summaries: ServerSummary[]): string {
  const header = HEADER[0].replace('3 runs', `${summaries[0]?.runs.length ?? 0} runs`);
  return [header, HEADER[1], ...summaries.map(formatRow)].join('\n');
}

function formatRow(summary: ServerSummary): string {
  const runs = summary.runs.map((run) => Math.round(run.requestsPerSecond).toLocaleString('en-US')).join(' / ');
  const ratio = summary.baseline ? 'baseline' : summary.ratioToBaseline === null ? '–' : ratioWithRounds(summary);
  return (
    `| ${summary.name} | ${Math.round(summary.medianRequestsPerSecond).toLocaleString('en-US')} | ${runs} | ` +
    `${summary.medianP50Ms.toFixed(1)} | ${summary.medianP99Ms.toFixed(1)} | ${summary.non2xx} | ${summary.errors} | ${ratio} |`
  );
}

/** "85% (per run 31 / 95 / 88%)": the per-run ratios pair each run with the baseline's run of the same round. */
function ratioWithRounds(summary: ServerSummary): string {
  const percent = (ratio: number) => Math.round(ratio * 100);
  const rounds = summary.ratioPerRound.length > 1 ? ` (per run ${summary.ratioPerRound.map(percent).join(' / ')}%)` : '';
  return `${percent(summary.ratioToBaseline!)}%${rounds}`;
}

/** 4,373: a whole number with thousands separators. */
export function whole(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** 0.37 → "37%"; "–" when there is no ratio. */
export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '–' : `${Math.round(ratio * 100)}%`;
}

/** "5.9 / 20.8": milliseconds with one decimal, joined. */
export function milliseconds(...values: number[]): string {
  return values.map((value) => value.toFixed(1)).join(' / ');
}

/** A Markdown table from a header row, an alignment row (`---`, `--:`) and the rows' cells. */
export function markdownTable(header: string[], align: string[], rows: string[][]): string {
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
