import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from './server-process';

const TINY_SERVER = `require('node:http').createServer((request, response) => response.end('ok')).listen(Number(process.env.PORT), process.env.HOST);`;

/** Pids of the processes whose command line names `file`. */
function processesRunning(file: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(file);
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

describe(ServerProcess.name, () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'server-process-spec-'));
    await writeFile(join(dir, 'tiny-server.js'), TINY_SERVER);
    await writeFile(join(dir, 'failing-server.js'), `process.exit(3);`);
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

  it('stops the servers it started when another of them fails to start, and throws why', async () => {
    const tiny = join(dir, 'tiny-server.js');
    await assert.rejects(
      ServerProcess.startTogether([
        { label: 'tiny', entry: tiny, env: {}, readyPath: '/' },
        { label: 'failing', entry: join(dir, 'failing-server.js'), env: {}, readyPath: '/' },
      ]),
      /failing exited \(3\)/,
    );
    assert.deepEqual(processesRunning(tiny), []);
  });
});
