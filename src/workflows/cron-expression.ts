const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const PART = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

/**
 * Checks the shape of a 5-field cron expression (`*`, numbers, ranges, lists and steps).
 * Returns why it is wrong, or `undefined` when it looks right.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `must have 5 fields (minute hour day month weekday), found ${fields.length}`;
  for (const [index, field] of fields.entries()) {
    const { name, min, max } = FIELDS[index];
    for (const part of field.split(',')) {
      const match = PART.exec(part);
      if (!match) return `${name} field \`${field}\` is not valid`;
      const numbers = [match[2], match[3]].filter((n) => n !== undefined).map(Number);
      if (numbers.some((n) => n < min || n > max)) return `${name} must be between ${min} and ${max}`;
      if (numbers.length === 2 && numbers[0] > numbers[1]) return `${name} range \`${part}\` is backwards`;
      if (match[4] !== undefined && Number(match[4]) === 0) return `${name} step must not be 0`;
    }
  }
  return undefined;
}
