import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ingestOutcomeOf } from './ingest-outcome';
import { IngressBusyError } from '../events/ingress-busy.error';
import { PayloadTooLargeError, SignatureRejectedError, SourceNotConfiguredError, SourcePausedError, UnknownSourceError } from './ingress.errors';

describe(ingestOutcomeOf.name, () => {
  it('names each refusal ingress knows', () => {
    assert.equal(ingestOutcomeOf(new SignatureRejectedError('bad signature')), 'rejected_signature');
    assert.equal(ingestOutcomeOf(new UnknownSourceError('nope')), 'not_found');
    assert.equal(ingestOutcomeOf(new PayloadTooLargeError(10)), 'too_large');
    assert.equal(ingestOutcomeOf(new SourceNotConfiguredError('shop', 'SECRET is not set')), 'not_configured');
    assert.equal(ingestOutcomeOf(new IngressBusyError(1)), 'busy');
    assert.equal(ingestOutcomeOf(new SourcePausedError('shop')), 'paused');
  });

  it('counts anything else (a database outage, a bug) as error', () => {
    assert.equal(ingestOutcomeOf(new Error('connection refused')), 'error');
    assert.equal(ingestOutcomeOf('thrown string'), 'error');
  });
});
