import assert from 'node:assert/strict';
import { TemplateEngine } from '../../templates/template-engine';
import type { VerifyScheme } from '../../workflows/workflow.types';
import type { InboundRequest, ResolvedVerify, SchemePreset, VerificationResult } from './verification-scheme';

/** Test helpers shared by the scheme specs (not used by the application). */
export function inboundRequest(body: string | Buffer, headers: Record<string, string | undefined> = {}): InboundRequest {
  return { rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body), headers };
}

export function resolvedVerify(scheme: VerifyScheme, secrets: string[], extra: Partial<ResolvedVerify> = {}): ResolvedVerify {
  return { scheme, secrets, ...extra };
}

/** The same bytes with the last one changed. */
export function tampered(body: string | Buffer): Buffer {
  const copy = Buffer.from(body);
  copy[copy.length - 1] ^= 0x01;
  return copy;
}

export function minutesFrom(instant: Date, minutes: number): Date {
  return new Date(instant.getTime() + minutes * 60_000);
}

export function unixSeconds(instant: Date): number {
  return Math.floor(instant.getTime() / 1000);
}

/** Asserts a rejection with exactly `reason`, and that no secret or signature leaked into it. */
export function assertRejected(result: VerificationResult, reason: string, mustNotLeak: readonly string[] = []): void {
  assert.deepEqual(result, { ok: false, reason });
  for (const value of mustNotLeak) {
    assert.ok(!reason.includes(value), 'the reason must not reveal a secret or signature');
  }
}

const templates = new TemplateEngine();

/** A preset's event type and dedupe key for an event, rendered by the real template engine. */
export function renderPreset(preset: SchemePreset, event: { headers: Record<string, string>; body: unknown }): { eventType: unknown; dedupeKey: unknown } {
  const render = (template: string | undefined) => (template === undefined ? undefined : templates.compile(template).render({ event }));
  return { eventType: render(preset.eventType), dedupeKey: render(preset.dedupeKey) };
}
