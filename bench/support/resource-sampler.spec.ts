import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricValue } from './resource-sampler';

describe('metricValue', () => {
  const exposition = [
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
    '# TYPE nodejs_heap_size_used_bytes gauge',
    'nodejs_heap_size_used_bytes 73400320',
    'nodejs_heap_size_used_bytes_total{space="old"} 1',
    'nodejs_external_memory_bytes 4.5e+6',
  ].join('\n');

  it('reads an unlabelled sample, in any number notation', () => {
    assert.equal(metricValue(exposition, 'nodejs_heap_size_used_bytes'), 73_400_320);
    assert.equal(metricValue(exposition, 'nodejs_external_memory_bytes'), 4_500_000);
  });

  it('answers undefined for a metric that is not there', () => {
    assert.equal(metricValue(exposition, 'nodejs_heap_size_total_bytes'), undefined);
  });
});
