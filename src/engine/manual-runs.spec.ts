import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../common/domain-error';
import { manualEventHeaders } from './manual-runs';
import { WORKFLOW_CHAIN_HEADER } from './workflow-chain';

describe(manualEventHeaders.name, () => {
  it('lower-cases names and stores credentials as [secret], as ingress does', () => {
    assert.deepEqual(manualEventHeaders({ 'X-Request-Id': 'r-1', Authorization: 'Bearer abc', 'X-Api-Key': 'k' }), {
      'x-request-id': 'r-1',
      authorization: '[secret]',
      'x-api-key': '[secret]',
    });
  });

  it('refuses the workflow chain header and every other x-hookflow- name, in any case', () => {
    for (const name of [WORKFLOW_CHAIN_HEADER, 'X-HOOKFLOW-WORKFLOW-CHAIN', 'x-hookflow-next']) {
      assert.throws(
        () => manualEventHeaders({ 'x-fine': '1', [name]: 'a,b' }),
        (error: unknown) => error instanceof DomainError && error.code === 'RESERVED_HEADER' && error.message.includes(name),
        name,
      );
    }
  });

  it('lets names that only resemble them through', () => {
    assert.deepEqual(manualEventHeaders({ 'x-hookflowish': '1', 'hookflow-x': '2' }), { 'x-hookflowish': '1', 'hookflow-x': '2' });
  });
});
