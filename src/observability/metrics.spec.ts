import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { Settings } from '../config/settings';
import { TemplateEngine } from '../templates/template-engine';
import { ORDER_PAID_YAML, SOURCES_YAML, removeDir, workflowDir } from '../workflows/workflow-dir.fixture';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { Metrics, UNKNOWN_LABEL } from './metrics';

import type { PausedSet } from '../pauses/paused-set';

const noPauses = { count: () => 0 } as unknown as PausedSet;
let dir: string;
let registry: WorkflowRegistry;

before(async () => {
  Logger.overrideLogger(false);
  dir = await workflowDir({ 'sources.yaml': SOURCES_YAML, 'order-paid.yaml': ORDER_PAID_YAML });
  registry = new WorkflowRegistry({ HOOKFLOW_WORKFLOWS_DIR: dir } as Settings, new TemplateEngine());
  registry.watch = false;
  await registry.onModuleInit();
});
after(async () => {
  await registry.onModuleDestroy();
  await removeDir(dir);
});

/** The series of a metric; a histogram's `_count`, `_sum` and `_bucket` by their own names. */
async function series(metrics: Metrics, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const base = name.replace(/_(count|sum|bucket)$/, '');
  const metric = metrics.registry.getSingleMetric(name) ?? metrics.registry.getSingleMetric(base);
  assert.ok(metric, `${name} is registered`);
  return (await metric.get()).values
    .filter((entry) => (entry as { metricName?: string }).metricName === undefined || (entry as { metricName?: string }).metricName === name)
    .map(({ labels, value }) => ({ labels: labels as Record<string, string | number>, value }));
}

async function valueOf(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const matching = (await series(metrics, name)).filter((entry) => Object.entries(labels).every(([key, value]) => entry.labels[key] === value));
  return matching.length === 0 ? undefined : matching.reduce((sum, entry) => sum + entry.value, 0);
}

describe(Metrics.name, () => {
  it('counts inbound requests by configured source and outcome, across scrapes', async () => {
    const metrics = new Metrics(registry, noPauses);
    metrics.eventReceived('shop', 'accepted');
    metrics.eventReceived('shop', 'accepted');
    metrics.eventReceived('shop', 'rejected_signature');
    assert.equal(await valueOf(metrics, 'hookflow_events_received_total', { source: 'shop', outcome: 'accepted' }), 2);
    // A second scrape must not count the same requests again.
    assert.equal(await valueOf(metrics, 'hookflow_events_received_total', { source: 'shop', outcome: 'accepted' }), 2);
    metrics.eventReceived('shop', 'accepted');
    assert.equal(await valueOf(metrics, 'hookflow_events_received_total', { source: 'shop', outcome: 'accepted' }), 3);
    assert.equal(await valueOf(metrics, 'hookflow_events_received_total', { source: 'shop', outcome: 'rejected_signature' }), 1);
  });

  it('shows every configured source at zero before its first request', async () => {
    const metrics = new Metrics(registry, noPauses);
    assert.equal(await valueOf(metrics, 'hookflow_events_received_total', { source: 'github', outcome: 'accepted' }), 0);
    assert.equal(await valueOf(metrics, 'hookflow_events_received_total', { source: 'github', outcome: 'too_large' }), 0);
  });

  it('puts every source name that is not configured under one _unknown label', async () => {
    const metrics = new Metrics(registry, noPauses);
    for (let i = 0; i < 50; i++) metrics.eventReceived(`random-${i}`, 'not_found');
    const sources = new Set((await series(metrics, 'hookflow_events_received_total')).map((entry) => entry.labels.source));
    assert.deepEqual([...sources].sort(), [UNKNOWN_LABEL, 'github', 'shop']);
    assert.equal(await valueOf(metrics, 'hookflow_events_received_total', { source: UNKNOWN_LABEL, outcome: 'not_found' }), 50);
  });

  it('labels run durations with loaded workflow names only', async () => {
    const metrics = new Metrics(registry, noPauses);
    metrics.runFinished('order-paid', 'succeeded', 0.3);
    metrics.runFinished('deleted-meanwhile', 'failed', 2);
    assert.equal(await valueOf(metrics, 'hookflow_run_duration_seconds_count', { workflow: 'order-paid', status: 'succeeded' }), 1);
    assert.equal(await valueOf(metrics, 'hookflow_run_duration_seconds_sum', { workflow: 'order-paid', status: 'succeeded' }), 0.3);
    assert.equal(await valueOf(metrics, 'hookflow_run_duration_seconds_count', { workflow: UNKNOWN_LABEL, status: 'failed' }), 1);
  });

  it('counts step attempts, delivery attempts and retention deletions', async () => {
    const metrics = new Metrics(registry, noPauses);
    metrics.stepAttempted('order-paid', 'http', 'failed', 0.02);
    metrics.deliveryAttempted('http', '5xx');
    metrics.deliveryAttempted('http', '5xx');
    metrics.retentionRemoved('events', 1000);
    metrics.retentionRemoved('runs', 0);
    assert.equal(await valueOf(metrics, 'hookflow_step_duration_seconds_count', { workflow: 'order-paid', kind: 'http', status: 'failed' }), 1);
    assert.equal(await valueOf(metrics, 'hookflow_delivery_attempts_total', { kind: 'http', status_class: '5xx' }), 2);
    assert.equal(await valueOf(metrics, 'hookflow_retention_deleted_total', { table: 'events' }), 1000);
    assert.equal(await valueOf(metrics, 'hookflow_retention_deleted_total', { table: 'runs' }), undefined);
  });

  it('exposes the Prometheus text format with the process metrics', async () => {
    const metrics = new Metrics(registry, noPauses);
    const { contentType, body } = await metrics.exposition();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.match(body, /^# TYPE hookflow_events_received_total counter$/m);
    assert.match(body, /^process_resident_memory_bytes \d+/m);
  });
});
