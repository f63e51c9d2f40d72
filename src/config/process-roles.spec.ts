import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from './load-settings';
import { ProcessRoles } from './process-roles';

// Settings read .env from the working folder: read them where there is none.
const noDotenv = mkdtempSync(join(tmpdir(), 'hookflow-roles-'));
const rolesOf = (value?: string) => ProcessRoles.of(loadSettings(value === undefined ? {} : { HOOKFLOW_ROLE: value }, noDotenv));

describe(ProcessRoles.name, () => {
  it('serves everything by default and for all', () => {
    for (const roles of [rolesOf(), rolesOf('all'), rolesOf(' '), rolesOf('ingress,all')]) {
      assert.deepEqual(roles.list(), ['ingress', 'worker', 'api']);
      assert.equal(String(roles), 'all');
    }
  });

  it('serves only the duties a role names', () => {
    assert.deepEqual(rolesOf('worker').list(), ['worker']);
    assert.equal(rolesOf('ingress').serves('api'), false);
    assert.equal(rolesOf('api').serves('api'), true);
  });

  it('takes a comma-separated list, in any order and spacing', () => {
    const roles = rolesOf(' api , ingress ');
    assert.deepEqual(roles.list(), ['ingress', 'api']);
    assert.equal(roles.serves('worker'), false);
    assert.equal(String(roles), 'ingress,api');
    assert.equal(String(rolesOf('ingress,worker,api')), 'all');
  });

  it('refuses an unknown role, also inside a list, naming the setting', () => {
    for (const value of ['everything', 'ingress,everything', ',']) {
      assert.throws(() => rolesOf(value), {
        message: `Invalid setting HOOKFLOW_ROLE: must be one of all, ingress, worker, api (got ${JSON.stringify(value)})`,
      });
    }
  });
});
