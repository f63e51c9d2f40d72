import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TemplateEngine } from './template-engine';

const engine = new TemplateEngine();
const RUNS = { numRuns: 200 };
const SECRET = 'the-secret-value-0123';
const OBJECT_PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** Keys as senders may send them, prototype names and Handlebars words included. */
const keyArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'length', 'this', '..', '@root', 'else', '0', '{{x}}'),
);

/** Text full of template syntax, for values that must stay text. */
const mustacheTextArb = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.constantFrom(
        '{{',
        '}}',
        '{{{',
        '}}}',
        '{{#each this}}',
        '{{/each}}',
        '{{> p}}',
        '{{!c}}',
        '\\{{',
        `{{secrets.SECRET}}`,
        '{{constructor.constructor}}',
        '<b>&amp;"\'`=</b>',
      ),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

/** An object built as JSON.parse builds it: every key, `__proto__` included, is an own data property. */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

const leafArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 10 }),
  mustacheTextArb,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const { tree: treeArb } = fc.letrec<{ tree: unknown; list: unknown[]; object: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, leafArb, tie('list'), tie('object')),
  list: fc.array(tie('tree'), { maxLength: 4 }),
  object: fc.array(fc.tuple(keyArb, tie('tree')), { maxLength: 4 }).map(objectOf),
}));

/** A path into `tree` chosen by `choices`, as Handlebars segments and the value found there. */
function pathInto(tree: unknown, choices: number[]): { segments: string[]; value: unknown } {
  const segments: string[] = [];
  let value = tree;
  for (const choice of choices) {
    if (value === null || typeof value !== 'object') break;
    const keys = Array.isArray(value) ? value.map((_, index) => String(index)) : Object.keys(value);
    const writable = keys.filter((key) => !/[\]\\\n\r\u2028\u2029]/.test(key));
    if (writable.length === 0) break;
    const key = writable[choice % writable.length];
    segments.push(`[${key}]`);
    value = (value as Record<string, unknown>)[key];
  }
  return { segments, value };
}

/** What a value becomes inside text: strings as they are, objects and lists as JSON, null as nothing. */
function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function contextWith(body: unknown): object {
  return { event: { id: 'evt_1', type: 'x', body }, steps: {}, workflow: { name: 'w' }, secrets: { SECRET } };
}

function assertPrototypeUntouched(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), OBJECT_PROTOTYPE_NAMES);
}

describe(`${TemplateEngine.name} properties`, () => {
  it('renders a path to exactly the value found there, keeping its type in a lone expression', () => {
    fc.assert(
      fc.property(treeArb, fc.array(fc.nat(), { maxLength: 6 }), (body, choices) => {
        const { segments, value } = pathInto(body, choices);
        const path = ['event', 'body', ...segments].join('.');
        assert.deepStrictEqual(engine.compile(`{{${path}}}`).render(contextWith(body)), value);
        assert.equal(engine.compile(`<{{${path}}}>`).render(contextWith(body)), `<${asText(value)}>`);
      }),
      RUNS,
    );
  });

  it('renders text and paths alike with and without Handlebars (a block forces its runtime)', () => {
    const plainTextArb = fc.string({ maxLength: 6 }).filter((text) => !/[{}\\]/.test(text));
    fc.assert(
      fc.property(treeArb, fc.array(fc.nat(), { maxLength: 6 }), plainTextArb, plainTextArb, fc.boolean(), (body, choices, before, after, missing) => {
        const { segments } = pathInto(body, choices);
        const path = ['event', 'body', ...segments, ...(missing ? ['[no such key]'] : [])].join('.');
        const direct = `${before}{{${path}}}${after} {{event.type}}`;
        const outcome = (source: string) => {
          try {
            return { text: engine.compile(source).render(contextWith(body), { step: 's' }) };
          } catch (error) {
            return { error: (error as Error).message };
          }
        };
        assert.deepStrictEqual(outcome(direct), outcome(`{{#if true}}${direct}{{/if}}`));
      }),
      RUNS,
    );
  });

  it('hands event text full of template syntax and HTML on verbatim: data never becomes template code', () => {
    fc.assert(
      fc.property(mustacheTextArb, (text) => {
        const context = contextWith({ text });
        assert.equal(engine.compile('{{event.body.text}}').render(context), text);
        assert.equal(engine.compile('said: {{event.body.text}}!').render(context), `said: ${text}!`);
        const rendered = engine
          .compileValue({ lone: '{{event.body.text}}', mixed: '{{event.type}} {{event.body.text}}', list: ['{{event.body.text}}'] })
          .render(context);
        assert.deepStrictEqual(rendered, { lone: text, mixed: `x ${text}`, list: [text] });
        if (!text.includes(SECRET)) assert.ok(!JSON.stringify(rendered).includes(SECRET));
      }),
      RUNS,
    );
  });

  it('round-trips any JSON value through the json helper', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const body = objectOf([['value', JSON.parse(JSON.stringify(value))]]);
        const expected = JSON.parse(JSON.stringify(value));
        assert.deepStrictEqual(JSON.parse(engine.compile('{{json event.body.value}}').render(contextWith(body)) as string), expected);
        assert.deepStrictEqual(JSON.parse(engine.compile('{{json event.body.value 2}}').render(contextWith(body)) as string), expected);
      }),
      RUNS,
    );
  });

  it('never lets keys of event data or of a with-map reach Object.prototype', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, leafArb), { maxLength: 6 }), (entries) => {
        const body = objectOf(entries.map(([key, value]) => [key, key === '__proto__' ? { polluted: 'yes' } : value]));
        const context = contextWith(body);
        engine.compile('{{json event.body}} {{length event.body}} {{#each event.body}}{{@key}}={{this}};{{/each}}').render(context);
        assert.deepStrictEqual(engine.compile('{{event.body}}').render(context), body);

        const withMap = objectOf(entries.map(([key]) => [key, '{{event.type}}']));
        const rendered = engine.compileValue(withMap).render(context) as Record<string, unknown>;
        assert.equal(Object.getPrototypeOf(rendered), Object.prototype);
        assert.deepEqual(Object.keys(rendered), Object.keys(withMap));
        assert.ok(Object.values(rendered).every((value) => value === 'x'));
        assertPrototypeUntouched();
      }),
      RUNS,
    );
  });

  it('reads nothing from prototypes, whatever path a template names', () => {
    const prototypeNames = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__');
    fc.assert(
      fc.property(
        fc.array(prototypeNames, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('event', 'event.body', 'event.body.list', 'steps', 'secrets'),
        (names, base) => {
          const template = engine.compile(`{{${base}.${names.join('.')}}}`);
          assert.throws(() => template.render(contextWith({ list: [1] })), { code: 'TEMPLATE_MISSING_PATH' });
          assert.equal(engine.compile(`{{default ${base}.${names.join('.')} "none"}}`).render(contextWith({ list: [1] })), 'none');
          assertPrototypeUntouched();
        },
      ),
      RUNS,
    );
  });
});
