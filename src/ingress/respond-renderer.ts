import { Injectable } from '@nestjs/common';
import { MatchNote } from '../events/event.entity';
import { EventContext } from '../events/inbound-event';
import { WebhookAnswer } from '../events/webhook-answer';
import { CompiledValue, TemplateEngine } from '../templates/template-engine';
import { RespondDefinition, SourceDefinition, WorkflowDefinition } from '../workflows/workflow.types';

/** The largest answer body: an answer is a short acknowledgement, not a copy of the event. */
export const MAX_ANSWER_BODY_BYTES = 64 * 1024;
/** What a header value may hold (RFC 9110 field-value): no CR, LF or other control characters. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

interface CompiledRespond {
  headers: CompiledValue;
  body?: CompiledValue;
}

/** The `respond:` that answers an event, and whose it is (for notes and errors). */
export interface ChosenRespond {
  respond: RespondDefinition;
  /** `source shop` or `workflow slash-command`. */
  owner: string;
}

/**
 * Renders a `respond:` of a source or a trigger into the HTTP answer of a webhook. Its
 * templates read the event as stored (credentials redacted) and nothing else; a respond that
 * cannot be rendered leaves the usual answer, with a note on the event, and loses nothing.
 */
@Injectable()
export class RespondRenderer {
  private readonly compiled = new WeakMap<RespondDefinition, CompiledRespond>();

  constructor(private readonly templates: TemplateEngine) {}

  /**
   * The source's `respond` wins; else that of the first workflow by name whose trigger
   * matched the event and declares one.
   */
  static choose(source: SourceDefinition, matched: readonly WorkflowDefinition[]): ChosenRespond | undefined {
    if (source.respond) return { respond: source.respond, owner: `source ${source.name}` };
    const first = [...matched].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).find((workflow) => workflow.on.respond);
    return first?.on.respond && { respond: first.on.respond, owner: `workflow ${first.name}` };
  }

  /** The answer for `event`, or the note that says why the usual answer was given instead. */
  answer(chosen: ChosenRespond, event: EventContext): { answer: WebhookAnswer } | { note: MatchNote } {
    try {
      return { answer: this.render(chosen.respond, event, chosen.owner) };
    } catch (error) {
      return { note: { reason: `respond of ${chosen.owner} could not be rendered, answered as usual: ${(error as Error).message}` } };
    }
  }

  private render(respond: RespondDefinition, event: EventContext, owner: string): WebhookAnswer {
    const compiled = this.compiledOf(respond);
    const context = { event };
    const headers: Record<string, string> = {};
    const rendered = compiled.headers.render(context, { field: `${owner} respond.headers` }) as Record<string, unknown>;
    for (const [name, value] of Object.entries(rendered)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
      if (!HEADER_VALUE.test(text)) throw new Error(`header ${name} would hold a line break or a control character`);
      headers[name] = text;
    }
    const body = compiled.body?.render(context, { field: `${owner} respond.body` });
    const answer = { status: respond.status, headers, body: '' };
    if (body === undefined || body === null) return answer;
    // A map or list is JSON; a string is text, unless the headers say what it is.
    const json = typeof body !== 'string';
    answer.body = json ? JSON.stringify(body) : body;
    headers['content-type'] ??= json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
    if (Buffer.byteLength(answer.body) > MAX_ANSWER_BODY_BYTES) {
      throw new Error(`the body would be ${Buffer.byteLength(answer.body)} bytes, more than ${MAX_ANSWER_BODY_BYTES}`);
    }
    return answer;
  }

  private compiledOf(respond: RespondDefinition): CompiledRespond {
    let compiled = this.compiled.get(respond);
    if (!compiled) {
      compiled = {
        headers: this.templates.compileValue(respond.headers),
        body: respond.body === undefined ? undefined : this.templates.compileValue(respond.body),
      };
      this.compiled.set(respond, compiled);
    }
    return compiled;
  }
}
