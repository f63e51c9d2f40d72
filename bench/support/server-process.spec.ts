import assert from 'node:assert/strict';
import { readlinkSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from './server-process';

const TINY_SERVER = `require('node:http').createServer((request, response) => response.end('ok')).listen(Number(process.env.PORT), process.env.HOST);`;

describe(ServerProcess.name, () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'server-process-spec-'));
    await writeFile(join(dir, 'tiny-server.js'), TINY_SERVER);
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it("follows node's own process (not a shell's) and keeps its peak and last memory from just before it stopped", async () => {
    const server = await ServerProcess.start({ label: 'tiny', entry: join(dir, 'tiny-server.js'), env: {}, readyPath: '/' });
    try {
      assert.equal(readlinkSync(`/proc/${server.pid}/exe`), realpathSync(process.execPath));
      const beforeStop = server.memoryAtStop;
      assert.equal(beforeStop, undefined);
    } finally {
      await server.stop();
    }
    assert.equal(server.running, false);
    const memory = server.memoryAtStop;
    assert.ok(memory, 'memory read before the stop');
    assert.ok(memory.rssBytes > 1024 * 1024 && memory.peakRssBytes >= memory.rssBytes, JSON.stringify(memory));
  });
});
