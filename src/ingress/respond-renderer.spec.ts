import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventContext } from '../events/inbound-event';
import { TemplateEngine } from '../templates/template-engine';
import { RespondDefinition, SourceDefinition, WorkflowDefinition } from '../workflows/workflow.types';
import { MAX_ANSWER_BODY_BYTES, RespondRenderer } from './respond-renderer';

const renderer = new RespondRenderer(new TemplateEngine());
const position = { line: 1, column: 1 };

const respond = (partial: Partial<RespondDefinition>): RespondDefinition => ({ status: 200, headers: {}, position, ...partial });
const source = (own?: RespondDefinition) => ({ name: 'slack', ...(own && { respond: own }) }) as SourceDefinition;
const workflow = (name: string, own?: RespondDefinition) => ({ name, on: { webhook: 'slack', ...(own && { respond: own }) } }) as WorkflowDefinition;

const event: EventContext = {
  id: 'e1',
  source: 'slack',
  type: 'command',
  received_at: '2026-12-04T10:00:00.000Z',
  headers: { 'x-slack-signature': '[secret]', 'content-type': 'application/x-www-form-urlencoded' },
  query: {},
  body: { command: '/deploy', text: 'api v42', user_name: 'ada', big: 'x'.repeat(MAX_ANSWER_BODY_BYTES + 1) },
};

function answerOf(definition: RespondDefinition) {
  const rendered = renderer.answer({ respond: definition, owner: 'source slack' }, event);
  assert.ok('answer' in rendered, JSON.stringify(rendered));
  return rendered.answer;
}

function noteOf(definition: RespondDefinition): string {
  const rendered = renderer.answer({ respond: definition, owner: 'source slack' }, event);
  assert.ok('note' in rendered, 'expected the usual answer, with a note');
  return rendered.note.reason;
}

describe(RespondRenderer.name, () => {
  describe('choosing whose respond answers', () => {
    it("takes the source's respond over every workflow's", () => {
      const own = respond({ status: 201 });
      assert.deepEqual(RespondRenderer.choose(source(own), [workflow('a', respond({}))]), { respond: own, owner: 'source slack' });
    });

    it('else takes the first matched workflow by name that declares one', () => {
      const b = respond({ status: 202 });
      const chosen = RespondRenderer.choose(source(), [workflow('c', respond({ status: 203 })), workflow('a'), workflow('b', b)]);
      assert.deepEqual(chosen, { respond: b, owner: 'workflow b' });
    });

    it('answers as usual when none declares one', () => {
      assert.equal(RespondRenderer.choose(source(), [workflow('a')]), undefined);
    });
  });

  it('sends a map as JSON, rendered from the event', () => {
    const answer = answerOf(respond({ body: { response_type: 'ephemeral', text: 'Deploying {{event.body.text}} for {{event.body.user_name}}' } }));
    assert.deepEqual(answer, {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ response_type: 'ephemeral', text: 'Deploying api v42 for ada' }),
    });
  });

  it('sends a string as text, unless the headers say what it is', () => {
    assert.deepEqual(answerOf(respond({ status: 201, body: 'ok {{event.body.command}}' })), {
      status: 201,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'ok /deploy',
    });
    const xml = answerOf(respond({ headers: { 'content-type': 'application/xml', 'x-user': '{{event.body.user_name}}' }, body: '<ok/>' }));
    assert.deepEqual(xml.headers, { 'content-type': 'application/xml', 'x-user': 'ada' });
  });

  it('answers with no body when none is declared', () => {
    assert.deepEqual(answerOf(respond({ status: 204 })), { status: 204, headers: {}, body: '' });
  });

  it('sees credential headers as [secret], as they are stored', () => {
    assert.equal(answerOf(respond({ body: '{{event.headers.x-slack-signature}}' })).body, '[secret]');
  });

  it('falls back to the usual answer, saying why, when a template fails, a header would break a line, or the body is too large', () => {
    assert.match(
      noteOf(respond({ body: '{{event.body.missing.deeper}}' })),
      /^respond of source slack could not be rendered, answered as usual: .*does not exist/,
    );
    assert.match(noteOf(respond({ headers: { 'x-echo': '{{event.body.text}}\r\nset-cookie: a=b' } })), /header x-echo would hold a line break/);
    assert.match(noteOf(respond({ body: '{{event.body.big}}' })), /more than 65536/);
  });
});
