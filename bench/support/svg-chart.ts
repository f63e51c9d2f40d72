/** One line of a chart: points in data units, drawn in the order given. */
export interface ChartSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Any SVG colour; taken from a palette by position when unset. */
  color?: string;
  line?: 'solid' | 'dashed' | 'dotted';
}

/** One plot: its own axes, title and legend. Several stack vertically in one figure. */
export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Logarithmic y axis (points with y ≤ 0 are left out). */
  logY?: boolean;
  /** Start a linear y axis at 0 even when every value is far above it. */
  yFromZero?: boolean;
}

export interface ChartLayout {
  width?: number;
  panelHeight?: number;
  /** A line under the panels (method, machine, date). */
  caption?: string;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const DASHES = { solid: '', dashed: '7 4', dotted: '2 3' };
const MARGIN = { left: 72, right: 230, top: 34, bottom: 48 };
const CAPTION_HEIGHT = 28;

/**
 * A small SVG line chart (no dependency): per panel a title, axes with ticks and grid,
 * a linear x axis, a linear or logarithmic y axis, one polyline with point markers per
 * series and a legend on the right.
 */
export function renderChart(panels: ChartPanel[], layout: ChartLayout = {}): string {
  const width = layout.width ?? 900;
  const panelHeight = layout.panelHeight ?? 320;
  const height = panels.length * panelHeight + (layout.caption ? CAPTION_HEIGHT : 0);
  const parts = panels.map((panel, index) => `<g transform="translate(0,${index * panelHeight})">${renderPanel(panel, width, panelHeight)}</g>`);
  if (layout.caption) parts.push(text(MARGIN.left, height - 10, layout.caption, { size: 11, fill: '#555' }));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="12">\n<rect width="${width}" height="${height}" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`
  );
}

function renderPanel(panel: ChartPanel, width: number, height: number): string {
  const plot = { x: MARGIN.left, y: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };
  const series = panel.series.map((entry) => ({
    ...entry,
    points: entry.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!panel.logY || y > 0)),
  }));
  const xs = series.flatMap((entry) => entry.points.map(([x]) => x));
  const ys = series.flatMap((entry) => entry.points.map(([, y]) => y));
  const xTicks = linearTicks(Math.min(...xs), Math.max(...xs));
  const yTicks = panel.logY ? logTicks(Math.min(...ys), Math.max(...ys)) : linearTicks(panel.yFromZero ? Math.min(0, ...ys) : Math.min(...ys), Math.max(...ys));
  const xScale = scale(xTicks.domain, [plot.x, plot.x + plot.width], false);
  const yScale = scale(yTicks.domain, [plot.y + plot.height, plot.y], panel.logY === true);

  const out: string[] = [text(plot.x, 22, panel.title, { size: 14, weight: 'bold' })];
  out.push(`<rect x="${plot.x}" y="${plot.y}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#999"/>`);
  for (const tick of yTicks.ticks) {
    const y = round(yScale(tick.value));
    out.push(`<line x1="${plot.x}" x2="${plot.x + plot.width}" y1="${y}" y2="${y}" stroke="${tick.label ? '#e3e3e3' : '#f2f2f2'}"/>`);
    if (tick.label) out.push(text(plot.x - 6, y + 4, tick.label, { anchor: 'end' }));
  }
  for (const tick of xTicks.ticks) {
    const x = round(xScale(tick.value));
    out.push(`<line x1="${x}" x2="${x}" y1="${plot.y}" y2="${plot.y + plot.height}" stroke="#eee"/>`);
    out.push(`<line x1="${x}" x2="${x}" y1="${plot.y + plot.height}" y2="${plot.y + plot.height + 4}" stroke="#999"/>`);
    out.push(text(x, plot.y + plot.height + 17, tick.label ?? '', { anchor: 'middle' }));
  }
  out.push(text(plot.x + plot.width / 2, height - 8, panel.xLabel, { anchor: 'middle' }));
  const yLabelY = plot.y + plot.height / 2;
  out.push(`<text x="18" y="${yLabelY}" text-anchor="middle" transform="rotate(-90 18 ${yLabelY})">${escapeXml(panel.yLabel)}</text>`);

  series.forEach((entry, index) => {
    const color = entry.color ?? PALETTE[index % PALETTE.length];
    const dash = DASHES[entry.line ?? 'solid'];
    const coordinates = entry.points.map(([x, y]) => `${round(xScale(x))},${round(yScale(y))}`);
    if (coordinates.length > 1) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${coordinates.join(' ')}"/>`);
    }
    if (coordinates.length <= 60) {
      for (const point of coordinates) {
        const [x, y] = point.split(',');
        out.push(`<circle cx="${x}" cy="${y}" r="3" fill="${color}"/>`);
      }
    }
    const legendY = plot.y + 8 + index * 20;
    const legendX = plot.x + plot.width + 16;
    out.push(
      `<line x1="${legendX}" x2="${legendX + 28}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    out.push(text(legendX + 36, legendY + 4, entry.name));
  });
  return out.join('\n');
}

export interface Tick {
  value: number;
  /** Unlabelled ticks draw a faint grid line only (the 2–9 of a log decade). */
  label?: string;
}

/** Round ticks (steps of 1, 2, 2.5 or 5 × 10^n) covering [min, max], and the domain they span. */
export function linearTicks(min: number, max: number, count = 6): { domain: [number, number]; ticks: Tick[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return linearTicks(0, 1, count);
  if (min === max) return linearTicks(min - (Math.abs(min) || 1) / 2, max + (Math.abs(max) || 1) / 2, count);
  const rough = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough)!;
  const first = Math.floor(min / step) * step;
  const last = Math.ceil(max / step) * step;
  const ticks: Tick[] = [];
  for (let index = 0; first + index * step <= last + step / 1e6; index++) {
    const value = Number((first + index * step).toPrecision(12));
    ticks.push({ value, label: formatNumber(value) });
  }
  return { domain: [first, last], ticks };
}

/** Whole decades covering [min, max] (min > 0), labelled at 1, 2 and 5 × 10^n when they span few decades. */
export function logTicks(min: number, max: number): { domain: [number, number]; ticks: Tick[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min <= 0) return logTicks(1, 10);
  const low = Math.floor(Math.log10(min));
  const high = Math.max(low + 1, Math.ceil(Math.log10(max)));
  const labelled = high - low <= 3 ? [1, 2, 5] : [1];
  const ticks: Tick[] = [];
  for (let decade = low; decade <= high; decade++) {
    for (let factor = 1; factor <= (decade === high ? 1 : 9); factor++) {
      const value = Number((factor * 10 ** decade).toPrecision(12));
      ticks.push(labelled.includes(factor) ? { value, label: formatNumber(value) } : { value });
    }
  }
  return { domain: [10 ** low, 10 ** high], ticks };
}

function scale([from, to]: [number, number], [start, end]: [number, number], logarithmic: boolean): (value: number) => number {
  const map = logarithmic ? Math.log10 : (value: number) => value;
  const span = map(to) - map(from) || 1;
  return (value) => start + ((map(value) - map(from)) / span) * (end - start);
}

function formatNumber(value: number): string {
  if (value !== 0 && Math.abs(value) < 1) return String(Number(value.toPrecision(3)));
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function text(
  x: number,
  y: number,
  content: string,
  style: { anchor?: 'start' | 'middle' | 'end'; size?: number; weight?: string; fill?: string } = {},
): string {
  const attributes = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    style.anchor && style.anchor !== 'start' ? `text-anchor="${style.anchor}"` : '',
    style.size ? `font-size="${style.size}"` : '',
    style.weight ? `font-weight="${style.weight}"` : '',
    style.fill ? `fill="${style.fill}"` : '',
  ].filter(Boolean);
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
