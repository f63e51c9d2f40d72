import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { Template } from '../templates/template-engine';
import { MatchNote } from '../events/event.entity';
import { EventWriter } from '../events/event-writer';
import { readBody } from '../events/inbound-body';
import { EventContext, eventContextOf, InboundEvent } from '../events/inbound-event';
import { SignatureRejectedError, SourceNotConfiguredError, SourcePausedError, UnknownSourceError } from './ingress.errors';
import { PausedSet } from '../pauses/paused-set';
import { SignatureFailureRecorder } from './signature-failure.recorder';
import { SourceRuntimes } from './source-runtime';
import { TriggerMatcher } from '../events/trigger-matcher';
import { SignatureVerifier } from './verification/signature-verifier';
import { RespondRenderer } from './respond-renderer';
import { PendingRun } from '../events/pending-run';
import { WebhookAnswer } from '../events/webhook-answer';
import { SourceDefinition, WorkflowDefinition } from '../workflows/workflow.types';

export interface InboundHttpRequest {
  rawBody: Buffer;
  /** Lower-case names, as Node gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: string;
  remoteAddress: string | null;
  receivedAt: Date;
}

export interface IngressResponse {
  status: number;
  outcome: 'accepted' | 'duplicate' | 'handshake';
  /** JSON, or the text a `respond:` rendered (then `headers` say what it is). */
  body: Record<string, unknown> | string;
  headers?: Record<string, string>;
}

const MAX_TYPE_LENGTH = 200;
const MAX_DEDUPE_KEY_LENGTH = 500;

/**
 * `POST /hooks/:source`: verify the raw bytes, read the body, match workflows, and store
 * the event with its runs (queued, or claimed by this process's engine) before answering.
 */
@Injectable()
export class IngressService {
  private readonly logger = new Logger(IngressService.name);

  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly sources: SourceRuntimes,
    private readonly verifier: SignatureVerifier,
    private readonly matcher: TriggerMatcher,
    private readonly writer: EventWriter,
    private readonly failures: SignatureFailureRecorder,
    private readonly pausedSet: PausedSet,
    private readonly responder: RespondRenderer,
  ) {}

  /** The source's declared body limit, for the body reader; `undefined` for unknown sources. */
  bodyLimitOf(sourceName: string): number | undefined {
    return this.registry.getSource(sourceName)?.bodyLimit;
  }

  assertKnownSource(sourceName: string): void {
    if (!this.registry.getSource(sourceName)) throw new UnknownSourceError(sourceName);
  }

  async receive(sourceName: string, request: InboundHttpRequest): Promise<IngressResponse> {
    const definition = this.registry.getSource(sourceName);
    if (!definition) throw new UnknownSourceError(sourceName);
    // Before verification: a paused source stores nothing, not even a signature failure.
    if (this.pausedSet.isPaused('source', sourceName)) throw new SourcePausedError(sourceName);
    const source = this.sources.of(definition);
    if (source.misconfiguration) throw new SourceNotConfiguredError(sourceName, source.misconfiguration);

    const headers = flattenHeaders(request.headers);
    const verdict = this.verifier.verify({ rawBody: request.rawBody, headers }, source.verify, request.receivedAt);
    if (!verdict.ok) {
      this.failures.record({ source: sourceName, reason: verdict.reason, receivedAt: request.receivedAt, remoteAddress: request.remoteAddress });
      this.logger.warn({ msg: 'Signature rejected', source: sourceName, reason: verdict.reason, remote_address: request.remoteAddress });
      throw new SignatureRejectedError(verdict.reason);
    }

    const contentType = headers['content-type'] ?? null;
    const body = readBody(request.rawBody, contentType);
    const handshake = this.verifier.handshake(source.verify, body.value);
    if (handshake !== undefined) return { status: 200, outcome: 'handshake', body: handshake };

    const received: InboundEvent = {
      id: uuidv7(),
      source: sourceName,
      type: '',
      receivedAt: request.receivedAt,
      headers: source.redaction.headers(headers),
      query: source.redaction.query(request.query),
      contentType,
      rawBody: request.rawBody,
      body,
    };
    // The source's own templates read the request as it came (a dedupe key may be a
    // signature); workflows, from their trigger on, see what is stored.
    const asReceived = eventContextOf({ ...received, headers, query: request.query });
    const notes: MatchNote[] = body.problem ? [{ reason: body.problem }] : [];
    asReceived.type = renderText(source.eventType, asReceived, sourceName, MAX_TYPE_LENGTH, notes, 'event_type') ?? '';
    const dedupeKey = source.dedupeKey ? renderText(source.dedupeKey, asReceived, sourceName, MAX_DEDUPE_KEY_LENGTH, notes, 'dedupe_key') : null;
    const event: InboundEvent = { ...received, type: asReceived.type };

    const workflows = this.registry.workflowsForSource(sourceName);
    const matched = this.matcher.match(event, workflows, this.sources.secrets);
    const answer = this.answerFor(definition, workflows, matched.runs, event, notes);
    const outcome = await this.writer.write({ event, dedupeKey: dedupeKey || null, matchNotes: [...notes, ...matched.notes], runs: matched.runs, answer });
    // Sent only now that the event is stored; a repeated delivery gets what the first got.
    if (outcome.answer) return { ...outcome.answer, outcome: outcome.duplicate ? 'duplicate' : 'accepted' };
    return outcome.duplicate
      ? { status: 200, outcome: 'duplicate', body: { event_id: outcome.eventId, runs: 0, duplicate: true } }
      : { status: 202, outcome: 'accepted', body: { event_id: outcome.eventId, runs: outcome.runs } };
  }

  /** The answer a `respond:` of the source or of a matched trigger gives, rendered from the event as stored. */
  private answerFor(
    source: SourceDefinition,
    workflows: readonly WorkflowDefinition[],
    runs: readonly PendingRun[],
    event: InboundEvent,
    notes: MatchNote[],
  ): WebhookAnswer | undefined {
    // Most sources answer the usual 202: no list to build for them.
    if (!source.respond && !workflows.some((workflow) => workflow.on.respond)) return undefined;
    const started = new Set(runs.map((run) => run.workflow));
    const chosen = RespondRenderer.choose(
      source,
      workflows.filter((workflow) => started.has(workflow.name)),
    );
    if (!chosen) return undefined;
    const rendered = this.responder.answer(chosen, eventContextOf(event));
    if ('note' in rendered) notes.push(rendered.note);
    return 'answer' in rendered ? rendered.answer : undefined;
  }
}

/** One string per header; a `__proto__` header is dropped, as it would set the record's prototype. */
function flattenHeaders(headers: InboundHttpRequest['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && name !== '__proto__') flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Renders a source template to a storable string; a failure is noted, never fatal. */
function renderText(template: Template, event: EventContext, source: string, maxLength: number, notes: MatchNote[], field: string): string | undefined {
  try {
    const value = template.render({ event }, { field: `sources.${source}.${field}` });
    if (value === undefined || value === null) return undefined;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text.replaceAll('\u0000', '\uFFFD').slice(0, maxLength);
  } catch (error) {
    notes.push({ reason: `${field} could not be evaluated: ${(error as Error).message}` });
    return undefined;
  }
}
