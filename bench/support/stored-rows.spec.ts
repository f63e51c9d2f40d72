import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditCounts } from './stored-rows';

describe('auditCounts', () => {
  it('flags fewer stored rows than 2xx answers as lost webhooks', () => {
    assert.match(auditCounts({ events: 990 }, { events: 1000 }, 64), /events 990 \(LOST: 10 fewer/);
  });

  it('accepts up to one in-flight request per connection more than answered', () => {
    assert.match(auditCounts({ events: 1064 }, { events: 1000 }, 64), /\(ok: 64 cut off in flight\)/);
  });

  it('flags more extra rows than requests could have been in flight', () => {
    assert.match(auditCounts({ events: 1065 }, { events: 1000 }, 64), /UNEXPECTED: 65 more/);
  });

  it('lists tables without an expectation as found', () => {
    assert.equal(auditCounts({ jobs: 5 }, {}, 0), 'stored after all runs: jobs 5');
  });
});
