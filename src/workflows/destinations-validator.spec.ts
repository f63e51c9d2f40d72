import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationsValidator } from './destinations-validator';
import { parseWorkflowFile } from './workflow-file-parser';

function validate(text: string) {
  const parsed = parseWorkflowFile('destinations.yaml', text);
  const settings = new DestinationsValidator(parsed).validate();
  const problems = [...parsed.problems].sort((a, b) => a.line - b.line || a.column - b.column);
  return { settings, problems: problems.map((problem) => `${problem.line}:${problem.column} ${problem.message}`) };
}

describe(DestinationsValidator.name, () => {
  it('reads defaults and rules, durations, percentages and rates', () => {
    const { settings, problems } = validate(`
# comments are fine
defaults:
  breaker:
    failures: 10
    failure_rate: 25%
    min_attempts: 50
    window: 10m
    cool_down: 1m
    disable_after: 1d
destinations:
  - match: https://hooks.slack.com/
    rate_limit: 1/s
  - match: "https://*.example.com"
    breaker: off
    rate_limit: 600/min
  - match: smtp
    breaker: { failures: 2 }
`);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      defaults: {
        breaker: { consecutiveFailures: 10, failureRate: 0.25, minimumAttempts: 50, windowMs: 600_000, coolDownMs: 60_000, disableAfterMs: 86_400_000 },
      },
      rules: [
        { match: 'https://hooks.slack.com', rateLimit: { attempts: 1, perMs: 1_000, text: '1/s' } },
        { match: 'https://*.example.com', breaker: 'off', rateLimit: { attempts: 600, perMs: 60_000, text: '600/min' } },
        { match: 'smtp', breaker: { consecutiveFailures: 2 } },
      ],
    });
  });

  it('accepts an empty file as no settings', () => {
    assert.deepEqual(validate('# nothing yet\n'), { settings: { defaults: {}, rules: [] }, problems: [] });
  });

  it('reports each bad value at its line and column, and gives no settings', () => {
    const { settings, problems } = validate(`defaults:
  breaker: { failures: 0, failure_rate: 150%, cool_down: 10, window: 30s, colour: red }
destinations:
  - rate_limit: fast
  - match: https://api.example.com/v1?key=x
    rate_limit: 0/s
  - match: http://a.example
    breaker: sometimes
`);
    assert.equal(settings, undefined);
    assert.deepEqual(problems, [
      '2:24 `failures` must be a whole number from 1 to 10000',
      '2:41 `failure_rate` must be a percentage such as 50% (more than 0%, at most 100%)',
      '2:58 `cool_down` must be a duration from 1s to 1d, such as 30s, 5m or 3d',
      '2:70 `window` must be a duration from 1m to 1d, such as 30s, 5m or 3d',
      '2:75 unknown key `colour` in `breaker` (a map, or `off`) (expected failures, failure_rate, min_attempts, window, cool_down, disable_after)',
      '4:5 a destination needs `match`: an origin such as https://api.example.com, `smtp`, or a glob such as https://*.example.com',
      '4:17 `rate_limit` must be attempts per second, minute or hour, such as 10/s, 600/m or 1000/h',
      '5:12 `match` must be an origin (scheme, host and port, no path), `smtp`, or a glob over them',
      '6:17 `rate_limit` must be attempts per second, minute or hour, such as 10/s, 600/m or 1000/h',
      '8:14 `breaker` (a map, or `off`) must be a map',
    ]);
  });
});
