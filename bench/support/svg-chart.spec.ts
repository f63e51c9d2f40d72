import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linearTicks, logTicks, renderChart } from './svg-chart';

describe('svg-chart', () => {
  it('puts linear ticks on round steps that cover the values', () => {
    const { domain, ticks } = linearTicks(3, 97);
    assert.deepEqual(domain, [0, 100]);
    assert.deepEqual(
      ticks.map((tick) => tick.value),
      [0, 20, 40, 60, 80, 100],
    );
  });

  it('spreads a single value instead of dividing by zero', () => {
    const { domain } = linearTicks(5, 5);
    assert.ok(domain[0] < 5 && domain[1] > 5, `domain ${domain.join('..')}`);
  });

  it('covers whole decades on a log axis, labelling 1, 2 and 5 when they are few', () => {
    const { domain, ticks } = logTicks(3, 250);
    assert.deepEqual(domain, [1, 1000]);
    assert.deepEqual(
      ticks.filter((tick) => tick.label).map((tick) => tick.value),
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    );
  });

  it('labels only the powers of ten when the values span many decades', () => {
    const labelled = logTicks(0.5, 20_000)
      .ticks.filter((tick) => tick.label)
      .map((tick) => tick.value);
    assert.deepEqual(labelled, [0.1, 1, 10, 100, 1000, 10_000, 100_000]);
  });

  it('draws one polyline per series through its points, with the names escaped in the legend', () => {
    const svg = renderChart([
      {
        title: 'Latency <p99> & more',
        xLabel: 'events/s',
        yLabel: 'ms',
        logY: true,
        series: [
          {
            name: 'Hookflow p50',
            points: [
              [100, 5],
              [200, 6],
              [400, 9],
            ],
          },
          {
            name: 'Relay p50',
            points: [
              [100, 2],
              [200, 0],
              [400, 3],
            ],
            line: 'dashed',
          },
        ],
      },
    ]);
    const polylines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((match) => match[1].split(' ').length);
    assert.deepEqual(polylines, [3, 2], 'a zero is left out of a log axis');
    assert.match(svg, /Latency &#60;p99&#62; &#38; more/);
    assert.match(svg, /stroke-dasharray="7 4"/);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  });
});
