/** One side of an A/B comparison: a Hookflow build (its entry point) and extra environment. */
export interface BuildVariant {
  name: string;
  /** `dist/src/main.js` of another build; the current build when unset. */
  entry?: string;
  env: Record<string, string>;
}

/**
 * Reads `BENCH_AB`: variants separated by `;`, each `name=setting,setting…`, where a setting
 * is `entry=/path/to/dist/src/main.js` or `ENV_NAME=value` (values may hold `=` and `:`, not
 * `,` or `;`). `now=` is the current build as it is.
 *
 *     BENCH_AB='before=entry=/tmp/before/dist/src/main.js;now='
 */
export function parseBuildVariants(spec: string): BuildVariant[] {
  const variants = spec
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part): BuildVariant => {
      const equals = part.indexOf('=');
      if (equals <= 0) throw new Error(`BENCH_AB: "${part}" has no name (expected name=setting,…)`);
      const variant: BuildVariant = { name: part.slice(0, equals).trim(), env: {} };
      for (const setting of part
        .slice(equals + 1)
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)) {
        const at = setting.indexOf('=');
        if (at <= 0) throw new Error(`BENCH_AB: setting "${setting}" of ${variant.name} is not key=value`);
        const [key, value] = [setting.slice(0, at), setting.slice(at + 1)];
        if (key === 'entry') variant.entry = value;
        else if (/^[A-Z_][A-Z0-9_]*$/.test(key)) variant.env[key] = value;
        else throw new Error(`BENCH_AB: "${key}" of ${variant.name} is neither entry nor an environment variable name`);
      }
      return variant;
    });
  if (variants.length < 2) throw new Error('BENCH_AB: name at least two variants to compare, e.g. before=entry=/tmp/before/dist/src/main.js;now=');
  const names = variants.map((variant) => variant.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) throw new Error(`BENCH_AB: variant ${repeated} is named twice`);
  return variants;
}
