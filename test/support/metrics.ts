/** One scrape of `GET /metrics`, parsed: `value(name, labels)` sums the series whose labels include `labels`. */
export interface Scrape {
  text: string;
  value(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export async function scrape(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  const samples = text
    .split('\n')
    .map((line) => SAMPLE.exec(line))
    .filter((match) => match !== null)
    .map(([, name, labels, value]) => ({
      name,
      labels: Object.fromEntries([...(labels ?? '').matchAll(LABEL)].map(([, key, label]) => [key, label])),
      value: Number(value),
    }));
  return {
    text,
    value: (name, labels = {}) =>
      samples
        .filter((sample) => sample.name === name && Object.entries(labels).every(([key, label]) => sample.labels[key] === label))
        .reduce((sum, sample) => sum + sample.value, 0),
  };
}
