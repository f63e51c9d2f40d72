import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, redactedSecrets, TemplateEngine } from './template-engine';
import { TemplateError } from './template-error';

const engine = new TemplateEngine();

function orderContext(body: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event: {
      id: 'evt_1',
      type: 'order.paid',
      headers: { 'x-event-id': 'abc' },
      body: { order: { id: 42, total: 19.5, email: 'a@example.com', items: [{ sku: 'A' }, { sku: 'B' }] }, ...body },
    },
    steps: { label: { output: { body: { tracking_number: 'TRK-1' } } } },
    workflow: { name: 'order-paid' },
    secrets: { SHIPPING_TOKEN: 'tok-123' },
  };
}

function render(source: string, context: object = orderContext()): unknown {
  return engine.compile(source).render(context);
}

function renderError(source: string, context: object = orderContext(), scope = {}): TemplateError {
  const template = engine.compile(source);
  try {
    template.render(context, scope);
  } catch (error) {
    assert.ok(error instanceof TemplateError, `expected a TemplateError, got ${String(error)}`);
    return error;
  }
  assert.fail(`rendering ${source} did not throw`);
}

function compileError(source: string): TemplateError {
  try {
    engine.compile(source);
  } catch (error) {
    assert.ok(error instanceof TemplateError, `expected a TemplateError, got ${String(error)}`);
    return error;
  }
  assert.fail(`compiling ${source} did not throw`);
}

describe(TemplateEngine.name, () => {
  describe('lone expressions', () => {
    it('renders an object when the template is one path', () => {
      assert.deepEqual(render('{{event.body.order.items}}'), [{ sku: 'A' }, { sku: 'B' }]);
    });

    it('keeps booleans, numbers and null from helpers and paths', () => {
      assert.equal(render('{{gt event.body.order.total 0}}'), true);
      assert.equal(render('{{add 1 2}}'), 3);
      assert.equal(render('{{event.body.order.id}}'), 42);
      assert.equal(render('{{event.body.gift}}', orderContext({ gift: null })), null);
    });

    it('allows whitespace around the lone expression', () => {
      const template = engine.compile('  {{event.body.order.total}}\n');
      assert.equal(template.isLone, true);
      assert.equal(template.render(orderContext()), 19.5);
    });

    it('renders a string as soon as there is text or a second expression', () => {
      assert.equal(engine.compile('#{{event.body.order.id}}').isLone, false);
      assert.equal(render('{{event.body.order.id}}{{event.body.order.id}}'), '4242');
      assert.equal(render('{{#if event.body.order.id}}{{event.body.order.id}}{{/if}}'), '42');
    });
  });

  describe('interpolation', () => {
    it('fills several paths into text', () => {
      const text = 'Order {{event.body.order.id}} shipped: {{steps.label.output.body.tracking_number}}';
      assert.equal(render(text), 'Order 42 shipped: TRK-1');
    });

    it('never HTML-escapes', () => {
      assert.equal(render('<b>{{event.body.name}}</b>', orderContext({ name: `O'Brien & <Sons> "x"` })), `<b>O'Brien & <Sons> "x"</b>`);
    });

    it('writes objects as JSON, null as nothing and dates as ISO 8601 inside text', () => {
      const context = orderContext({ meta: { a: 1 }, gift: null, at: new Date(Date.UTC(2024, 0, 2)) });
      assert.equal(render('meta={{event.body.meta}} gift={{event.body.gift}} at={{event.body.at}}', context), 'meta={"a":1} gift= at=2024-01-02T00:00:00.000Z');
    });

    it('reads header names with dashes, list items by index and a list length', () => {
      assert.equal(render('{{event.headers.x-event-id}}'), 'abc');
      assert.equal(render('{{event.body.order.items.1.sku}} {{event.body.order.items.[0].sku}}'), 'B A');
      assert.equal(render('{{event.body.order.items.length}}'), 2);
    });

    it('leaves an escaped mustache as text', () => {
      assert.equal(render('\\{{event.body.order.id}} is {{event.body.order.id}}'), '{{event.body.order.id}} is 42');
    });
  });

  describe('text and html modes', () => {
    const name = `O'Brien & <Sons> "x"`;
    const html = (source: string, context = orderContext({ name })) => engine.compile(source, 'html').render(context);

    it('HTML-escapes every {{ }} value in html mode, in text, blocks and helpers, even a lone one', () => {
      assert.equal(html('<b>{{event.body.name}}</b>'), '<b>O&#x27;Brien &amp; &lt;Sons&gt; &quot;x&quot;</b>');
      assert.equal(html('{{event.body.name}}'), 'O&#x27;Brien &amp; &lt;Sons&gt; &quot;x&quot;');
      assert.equal(html('{{#each event.body.tags}}<i>{{this}}</i>{{/each}}', orderContext({ tags: ['<a>', 'b&c'] })), '<i>&lt;a&gt;</i><i>b&amp;c</i>');
      assert.equal(html('{{upper event.body.name}}'), 'O&#x27;BRIEN &amp; &lt;SONS&gt; &quot;X&quot;');
      assert.equal(html('{{event.body.meta}}', orderContext({ meta: { a: '<b>' } })), '{&quot;a&quot;:&quot;&lt;b&gt;&quot;}');
    });

    it('places a triple-stash value as it is in html mode: the author opts out', () => {
      assert.equal(html('<p>{{{event.body.name}}}</p> {{event.body.name}}'), `<p>${name}</p> O&#x27;Brien &amp; &lt;Sons&gt; &quot;x&quot;`);
      assert.equal(html('{{{event.body.name}}}'), name);
    });

    it('never escapes in the other modes, and renders a lone expression as text in text mode', () => {
      assert.equal(engine.compile('<b>{{event.body.name}}</b>', 'text').render(orderContext({ name })), `<b>${name}</b>`);
      assert.equal(engine.compile('{{event.body.order.items}}', 'text').render(orderContext()), '[{"sku":"A"},{"sku":"B"}]');
      assert.equal(engine.compile('{{event.body.order.id}}', 'text').render(orderContext()), '42');
      assert.equal(render('{{event.body.name}}', orderContext({ name })), name);
    });

    it('compiles the same source once per mode', () => {
      assert.notEqual(engine.compile('{{event.body.name}}', 'html'), engine.compile('{{event.body.name}}'));
      assert.equal(engine.compile('{{event.body.name}}', 'html'), engine.compile('{{event.body.name}}', 'html'));
    });

    it('applies the mode of a top-level key to every string under it', () => {
      const compiled = engine.compileValue(
        { to: ['{{event.body.order.items}}'], html: '<b>{{event.body.name}}</b>', text: '{{event.body.name}}', other: '{{event.body.order.id}}' },
        (key) => (key === 'to' ? 'text' : key === 'html' ? 'html' : 'value'),
      );
      assert.deepEqual(compiled.render(orderContext({ name })), {
        to: ['[{"sku":"A"},{"sku":"B"}]'],
        html: '<b>O&#x27;Brien &amp; &lt;Sons&gt; &quot;x&quot;</b>',
        text: name,
        other: 42,
      });
    });

    it('keeps internal helpers out of reach of templates', () => {
      assert.equal(compileError('{{__html event.body.name}}').code, 'TEMPLATE_UNKNOWN_HELPER');
    });
  });

  describe('blocks', () => {
    it('uses Hookflow truthiness in #if and #unless', () => {
      assert.equal(render('{{#if event.body.flag}}yes{{else}}no{{/if}}', orderContext({ flag: 'false' })), 'no');
      assert.equal(render('{{#unless event.body.flag}}empty{{/unless}}', orderContext({ flag: [] })), 'empty');
      assert.equal(render('{{#if (eq event.body.order.id 1)}}a{{else if (eq event.body.order.id 42)}}b{{else}}c{{/if}}'), 'b');
    });

    it('iterates with #each, block parameters, @index and parent paths', () => {
      const source = '{{#each event.body.order.items as |item i|}}{{i}}:{{item.sku}}/{{../event.body.order.id}} {{/each}}';
      assert.equal(render(source), '0:A/42 1:B/42 ');
      assert.equal(render('{{#each event.body.order.items}}{{@index}}{{sku}}{{/each}}'), '0A1B');
    });

    it('reports a missing path inside #each against the item', () => {
      const error = renderError('{{#each event.body.order.items}}{{price}}{{/each}}');
      assert.equal(error.code, 'TEMPLATE_MISSING_PATH');
      assert.equal(error.message, 'price does not exist');
    });

    it('changes context with #with and renders the inverse for an empty value', () => {
      assert.equal(render('{{#with event.body.order}}{{email}}{{/with}}'), 'a@example.com');
      assert.equal(render('{{#with event.body.gift}}x{{else}}none{{/with}}', orderContext({ gift: null })), 'none');
    });
  });

  describe('missing paths', () => {
    it('names the workflow, step and path', () => {
      const error = renderError('{{event.body.order.idd}}', orderContext(), { workflow: 'order-paid', step: 'label' });
      assert.equal(error.code, 'TEMPLATE_MISSING_PATH');
      assert.equal(error.message, 'workflow order-paid, step label: event.body.order.idd does not exist');
      assert.equal(error.path, 'event.body.order.idd');
    });

    it('names the field when the scope gives one', () => {
      const error = renderError('x {{event.body.nope}}', orderContext(), { workflow: 'order-paid', field: 'on.if' });
      assert.equal(error.message, 'workflow order-paid, field on.if: event.body.nope does not exist');
    });

    it('says where a deeper path breaks off', () => {
      assert.match(renderError('{{event.body.a.b.c}}').message, /^event\.body\.a\.b\.c does not exist \(event\.body has no a\)$/);
      assert.match(renderError('{{event.body.gift.id}}', orderContext({ gift: null })).message, /\(event\.body\.gift is null\)$/);
    });

    it('treats an existing null as present', () => {
      assert.equal(render('[{{event.body.gift}}]', orderContext({ gift: null })), '[]');
    });

    it('checks paths in #if conditions', () => {
      assert.equal(renderError('{{#if event.body.nope}}x{{/if}}').code, 'TEMPLATE_MISSING_PATH');
    });

    it('reports an unset secret by name, as its environment variable', () => {
      const error = renderError('Bearer {{secrets.SHIPPING_TOKN}}', orderContext(), { workflow: 'order-paid', step: 'label' });
      assert.equal(error.code, 'TEMPLATE_MISSING_PATH');
      assert.equal(error.path, 'secrets.SHIPPING_TOKN');
      assert.match(error.message, /secrets\.SHIPPING_TOKN does not exist \(environment variable SHIPPING_TOKN is not set\)/);
    });

    it('never puts a secret value in a message', () => {
      const error = renderError('{{secrets.SHIPPING_TOKEN.x}}');
      assert.doesNotMatch(error.message, /tok-123/);
      assert.match(error.message, /secrets\.SHIPPING_TOKEN is a string/);
    });
  });

  describe('default', () => {
    it('exempts its path arguments from the missing-path check', () => {
      assert.equal(render('{{default event.body.x "n/a"}}'), 'n/a');
      assert.equal(render('{{default event.body.a.b.c "n/a"}}'), 'n/a');
      assert.equal(render('Note: {{default event.body.note}}!'), 'Note: !');
    });

    it('still checks paths nested in a sub-expression argument', () => {
      assert.equal(renderError('{{default (upper event.body.x) "n/a"}}').code, 'TEMPLATE_MISSING_PATH');
    });

    it('returns the value when the path exists', () => {
      assert.equal(render('{{default event.body.order.id "n/a"}}'), 42);
    });
  });

  describe('prototype access', () => {
    for (const probe of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'event.body.constructor.name',
      'event.body.order.items.constructor',
      'event.id.length',
    ]) {
      it(`treats {{${probe}}} as a missing path`, () => {
        const error = renderError(`{{${probe}}}`);
        assert.equal(error.code, 'TEMPLATE_MISSING_PATH');
      });
    }

    it('never hands a function to default or to text', () => {
      assert.equal(render('{{default constructor "safe"}}'), 'safe');
      assert.equal(render('{{default event.body.toString}}'), undefined);
      assert.equal(render('{{default event.body.__proto__ "safe"}}'), 'safe');
    });

    it('does not follow own properties holding functions', () => {
      assert.equal(renderError('{{event.body.fn}}', orderContext({ fn: () => 'called' })).code, 'TEMPLATE_MISSING_PATH');
    });
  });

  describe('event data is data', () => {
    const evil = '{{secrets.SHIPPING_TOKEN}} " </script>';

    it('inserts a value holding mustaches, quotes and </script> verbatim into text', () => {
      assert.equal(render('note: {{event.body.note}}.', orderContext({ note: evil })), `note: ${evil}.`);
    });

    it('keeps such a value as one string inside a compiled object', () => {
      const compiled = engine.compileValue({ body: { note: '{{event.body.note}}', text: 'said {{event.body.note}}' } });
      const rendered = compiled.render(orderContext({ note: evil }));
      assert.deepEqual(rendered, { body: { note: evil, text: `said ${evil}` } });
      assert.deepEqual(JSON.parse(JSON.stringify(rendered)), rendered);
    });
  });

  describe('compile errors', () => {
    it('rejects an unknown helper with its position', () => {
      const error = compileError('Hi {{shout event.body.x}}');
      assert.equal(error.code, 'TEMPLATE_UNKNOWN_HELPER');
      assert.match(error.message, /shout/);
      assert.deepEqual([error.line, error.column], [1, 6]);
    });

    it('rejects Handlebars helpers we do not offer and helpers used as blocks', () => {
      assert.equal(compileError('{{lookup event "body"}}').code, 'TEMPLATE_UNKNOWN_HELPER');
      assert.equal(compileError('{{log "x"}}').code, 'TEMPLATE_UNKNOWN_HELPER');
      assert.equal(compileError('{{#eq 1 1}}x{{/eq}}').code, 'TEMPLATE_UNKNOWN_HELPER');
    });

    it('reports a syntax error with line and column inside the template', () => {
      const error = compileError('line one\nsee {{ # }}');
      assert.equal(error.code, 'TEMPLATE_SYNTAX');
      assert.deepEqual([error.line, error.column], [2, 8]);
    });

    it('points at a {{ that is never closed', () => {
      const error = compileError('a {{x}}\nb {{event.body');
      assert.equal(error.message, 'a {{ is not closed with }}');
      assert.deepEqual([error.line, error.column], [2, 3]);
    });

    it('reports a mismatched block at its opening', () => {
      const error = compileError('x\n  {{#if a}}\n{{/each}}');
      assert.equal(error.code, 'TEMPLATE_SYNTAX');
      assert.match(error.message, /if doesn't match each/);
      assert.equal(error.line, 2);
    });

    it('rejects a wrong number of helper arguments when compiling', () => {
      const error = compileError('{{eq event.body.a}}');
      assert.equal(error.code, 'TEMPLATE_SYNTAX');
      assert.equal(error.message, 'eq takes 2 arguments, got 1');
    });

    it('rejects partials and unknown data variables', () => {
      assert.equal(compileError('{{> header}}').code, 'TEMPLATE_SYNTAX');
      assert.equal(compileError('{{@hookflowCapture}}').code, 'TEMPLATE_SYNTAX');
    });

    it('hints at brackets for a trailing numeric segment', () => {
      assert.match(compileError('{{event.body.items.0}}').message, /items\.\[0\]/);
    });
  });

  describe('paths', () => {
    it('lists paths of mustaches, helper arguments, sub-expressions and #if', () => {
      const source = '{{event.body.order.id}} {{upper (lower event.type)}} {{#if (gt event.body.order.total 0)}}{{steps.label.output.body}}{{/if}}';
      assert.deepEqual(engine.compile(source).paths, ['event.body.order.id', 'event.type', 'event.body.order.total', 'steps.label.output.body']);
    });

    it('leaves out arguments of default unless also used elsewhere', () => {
      assert.deepEqual(engine.compile('{{default event.body.x steps.a.output "n"}}').paths, []);
      assert.deepEqual(engine.compile('{{default event.body.x "n"}} {{event.body.x}}').paths, ['event.body.x']);
    });

    it('leaves out paths relative to an #each item but keeps its list and else branch', () => {
      const source = '{{#each event.body.items}}{{sku}}{{else}}{{event.id}}{{/each}}';
      assert.deepEqual(engine.compile(source).paths, ['event.body.items', 'event.id']);
    });

    it('lists each path once and reads @root paths from the context', () => {
      assert.deepEqual(engine.compile('{{a.b}}{{a.b}}{{@root.c}}').paths, ['a.b', 'c']);
    });
  });

  describe('secrets', () => {
    it('renders [secret] for any name with redactedSecrets', () => {
      const context = { ...orderContext(), secrets: redactedSecrets() };
      assert.equal(REDACTED, '[secret]');
      assert.equal(render('Bearer {{secrets.SHIPPING_TOKEN}}', context), 'Bearer [secret]');
      assert.equal(render('{{secrets.NEVER_SET}}', context), '[secret]');
    });
  });

  describe('compileValue', () => {
    it('renders templates inside nested objects and lists and keeps other values', () => {
      const compiled = engine.compileValue({
        method: 'POST',
        retries: 3,
        enabled: true,
        nothing: null,
        '{{event.id}}': 'key stays',
        body: { order_id: '{{event.body.order.id}}', items: ['{{event.body.order.items.0.sku}}', 'plain {text}'] },
      });
      assert.deepEqual(compiled.render(orderContext()), {
        method: 'POST',
        retries: 3,
        enabled: true,
        nothing: null,
        '{{event.id}}': 'key stays',
        body: { order_id: 42, items: ['A', 'plain {text}'] },
      });
      assert.deepEqual(compiled.paths, ['event.body.order.id', 'event.body.order.items.0.sku']);
    });

    it('returns a new object on every render', () => {
      const compiled = engine.compileValue({ a: { b: '{{event.id}}' } });
      assert.notEqual(compiled.render(orderContext()), compiled.render(orderContext()));
    });

    it('keeps a "__proto__" key as a plain key', () => {
      const value = JSON.parse('{"__proto__": {"polluted": "{{event.id}}"}}') as unknown;
      const rendered = engine.compileValue(value).render(orderContext()) as Record<string, unknown>;
      assert.equal(Object.getPrototypeOf(rendered), Object.prototype);
      assert.deepEqual(Object.getOwnPropertyDescriptor(rendered, '__proto__')?.value, { polluted: 'evt_1' });
    });

    it('says which field failed, in the error and its message when the scope names a field', () => {
      const compiled = engine.compileValue({ body: { items: ['{{event.body.nope}}'] } });
      try {
        compiled.render(orderContext(), { workflow: 'order-paid', step: 'label', field: 'with' });
        assert.fail('expected an error');
      } catch (error) {
        assert.ok(error instanceof TemplateError);
        assert.equal(error.message, 'workflow order-paid, step label, field with.body.items[0]: event.body.nope does not exist');
        assert.deepEqual(error.fieldPath, ['body', 'items', 0]);
      }
    });

    it('says which field does not compile', () => {
      try {
        engine.compileValue({ headers: { Authorization: 'Bearer {{secrets.X' } });
        assert.fail('expected an error');
      } catch (error) {
        assert.ok(error instanceof TemplateError);
        assert.equal(error.code, 'TEMPLATE_SYNTAX');
        assert.deepEqual(error.fieldPath, ['headers', 'Authorization']);
      }
    });
  });

  describe('isTemplate and compiling once', () => {
    it('recognises strings containing {{', () => {
      assert.equal(engine.isTemplate('a {{b}}'), true);
      assert.equal(engine.isTemplate('a {b}'), false);
    });

    it('compiles a source once and reuses it', () => {
      assert.equal(engine.compile('{{event.id}} once'), engine.compile('{{event.id}} once'));
    });

    it('renders a plain string as itself', () => {
      assert.equal(render('no templates here'), 'no templates here');
      assert.equal(render(''), '');
    });
  });
});
