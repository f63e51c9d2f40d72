import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isTruthy, TemplateEngine } from './template-engine';
import { TemplateError } from './template-error';

const engine = new TemplateEngine();

function render(source: string, body: Record<string, unknown> = {}): unknown {
  return engine.compile(source).render({ event: { body } });
}

function helperError(source: string, body: Record<string, unknown> = {}): TemplateError {
  try {
    render(source, body);
  } catch (error) {
    assert.ok(error instanceof TemplateError);
    assert.equal(error.code, 'TEMPLATE_HELPER');
    return error;
  }
  assert.fail(`${source} did not throw`);
}

describe('template helpers', () => {
  describe(isTruthy.name, () => {
    it('is false for empty and false-like values', () => {
      for (const value of [false, null, undefined, 0, -0, NaN, '', 'false', '0', ' false\n', []]) {
        assert.equal(isTruthy(value), false, `${JSON.stringify(value)} should be falsy`);
      }
    });

    it('is true for everything else', () => {
      for (const value of [true, 1, -1, 'no', 'False?', ' x ', [0], {}, new Date(0)]) {
        assert.equal(isTruthy(value), true, `${JSON.stringify(value)} should be truthy`);
      }
    });
  });

  describe('comparison', () => {
    it('compares with eq and ne strictly', () => {
      assert.equal(render('{{eq event.body.s "paid"}}', { s: 'paid' }), true);
      assert.equal(render('{{eq event.body.n "1"}}', { n: 1 }), false);
      assert.equal(render('{{ne event.body.n 2}}', { n: 1 }), true);
    });

    it('orders numbers, numeric strings and strings', () => {
      assert.equal(render('{{gt event.body.n 0}}', { n: 5 }), true);
      assert.equal(render('{{gt "10" "9"}}'), true);
      assert.equal(render('{{gte 3 "3"}}'), true);
      assert.equal(render('{{lt "2024-01-01" "2024-02-01"}}'), true);
      assert.equal(render('{{lte 4 3}}'), false);
    });

    it('answers false when the values cannot be ordered', () => {
      assert.equal(render('{{gt event.body.n 0}}', { n: null }), false);
      assert.equal(render('{{lt event.body.o 1}}', { o: { a: 1 } }), false);
    });
  });

  describe('logic', () => {
    it('combines any number of arguments with and / or', () => {
      assert.equal(render('{{and true 1 "x"}}'), true);
      assert.equal(render('{{and true 1 "false"}}'), false);
      assert.equal(render('{{or 0 "" "yes"}}'), true);
      assert.equal(render('{{or 0 "" null}}'), false);
    });

    it('negates with not using the same truthiness', () => {
      assert.equal(render('{{not "0"}}'), true);
      assert.equal(render('{{not event.body.items}}', { items: [1] }), false);
    });

    it('works as sub-expressions', () => {
      assert.equal(render('{{and (gt event.body.n 1) (not (eq event.body.n 3))}}', { n: 2 }), true);
    });
  });

  describe('default', () => {
    it('returns the first argument that is not null, undefined or empty', () => {
      assert.equal(render('{{default event.body.a event.body.b "c"}}', { a: '', b: null }), 'c');
      assert.equal(render('{{default event.body.a "c"}}', { a: 0 }), 0);
      assert.equal(render('{{default event.body.a "c"}}', { a: false }), false);
    });

    it('returns the last argument when none is present', () => {
      assert.equal(render('{{default event.body.a ""}}'), '');
    });
  });

  describe('json', () => {
    it('serializes values, optionally indented', () => {
      assert.equal(render('{{json event.body.o}}', { o: { a: [1, 'x'] } }), '{"a":[1,"x"]}');
      assert.equal(render('{{json event.body.o 2}}', { o: { a: 1 } }), '{\n  "a": 1\n}');
      assert.equal(render('{{json event.body.s}}', { s: 'say "hi"' }), '"say \\"hi\\""');
      assert.equal(render('{{json (default event.body.none)}}'), 'null');
    });

    it('rejects a bad indent', () => {
      helperError('{{json 1 "wide"}}');
    });
  });

  describe('text', () => {
    it('changes case', () => {
      assert.equal(render('{{upper event.body.s}}-{{lower "ÀB"}}', { s: 'straße' }), 'STRASSE-àb');
      assert.equal(render('[{{upper event.body.s}}]', { s: null }), '[]');
    });

    it('refuses to change the case of an object', () => {
      helperError('{{upper event.body.o}}', { o: {} });
    });

    it('measures strings, lists and objects with length', () => {
      assert.equal(render('{{length "abc"}}'), 3);
      assert.equal(render('{{length event.body.l}}', { l: [1, 2] }), 2);
      assert.equal(render('{{length event.body.o}}', { o: { a: 1, b: 2 } }), 2);
      assert.equal(render('{{length event.body.n}}', { n: null }), 0);
      helperError('{{length 5}}');
    });
  });

  describe('date', () => {
    const at = '2024-03-05T07:08:09.010Z';

    it('defaults to ISO 8601 and reads ISO strings, Dates and epoch milliseconds', () => {
      assert.equal(render('{{date event.body.at}}', { at }), at);
      assert.equal(render('{{date event.body.at}}', { at: new Date(at) }), at);
      assert.equal(render('{{date event.body.at}}', { at: Date.parse(at) }), at);
      assert.equal(render('{{date event.body.at}}', { at: String(Date.parse(at)) }), at);
    });

    it('reads an ISO date-time without offset as UTC', () => {
      assert.equal(render('{{date "2024-03-05 07:08"}}'), '2024-03-05T07:08:00.000Z');
    });

    it('formats as unix seconds or milliseconds, keeping the number type', () => {
      assert.equal(render('{{date event.body.at "unix"}}', { at }), 1709622489);
      assert.equal(render('{{date event.body.at "ms"}}', { at }), 1709622489010);
    });

    it('formats tokens in UTC, with [literal] text', () => {
      assert.equal(render('{{date event.body.at "YYYY-MM-DD HH:mm:ss"}}', { at }), '2024-03-05 07:08:09');
      assert.equal(render('{{date event.body.at "[on] ddd D MMM YY, h:mm A, SSS Z"}}', { at }), 'on Tue 5 Mar 24, 7:08 AM, 010 +00:00');
    });

    it('rejects what is not a date, without printing it', () => {
      const error = helperError('{{date event.body.at}}', { at: 'secret-ish text' });
      assert.doesNotMatch(error.message, /secret-ish/);
      helperError('{{date event.body.at}}', { at: null });
    });
  });

  describe('arithmetic', () => {
    it('adds, subtracts, multiplies, divides and takes the remainder', () => {
      assert.equal(render('{{add 1 2 3}}'), 6);
      assert.equal(render('{{add event.body.a "2.5"}}', { a: '1' }), 3.5);
      assert.equal(render('{{sub 10 4}}'), 6);
      assert.equal(render('{{mul 2 "3" 4}}'), 24);
      assert.equal(render('{{div 7 2}}'), 3.5);
      assert.equal(render('{{mod 7 3}}'), 1);
    });

    it('rounds half away from zero, to optional decimals, and floors and ceils', () => {
      assert.equal(render('{{round 2.5}}'), 3);
      assert.equal(render('{{round -2.5}}'), -3);
      assert.equal(render('{{round 1.005 2}}'), 1.01);
      assert.equal(render('{{floor -1.5}}'), -2);
      assert.equal(render('{{ceil "1.2"}}'), 2);
    });

    it('treats division by zero as an error, not Infinity', () => {
      assert.equal(helperError('{{div 1 0}}').message, 'div: division by zero');
      assert.equal(helperError('{{mod 1 event.body.z}}', { z: '0' }).message, 'mod: division by zero');
    });

    it('rejects values that are not numbers', () => {
      assert.equal(helperError('{{add 1 event.body.x}}', { x: 'abc' }).message, 'add: argument 2 is not a number (got a string)');
      helperError('{{sub event.body.x 1}}', { x: null });
      helperError('{{round 1.5 "x"}}');
    });

    it('works in text and as sub-expressions', () => {
      assert.equal(render('Total: {{round (mul event.body.p 1.19) 2}} EUR', { p: 10 }), 'Total: 11.9 EUR');
    });
  });
});
