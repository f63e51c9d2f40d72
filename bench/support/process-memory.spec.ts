import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcStatusMemory, readProcessMemory } from './process-memory';

const STATUS = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
VmPeak:\t 1234567 kB
VmSize:\t 1200000 kB
VmHWM:\t  204800 kB
VmRSS:\t  153600 kB
RssAnon:\t  100000 kB
`;

describe('parseProcStatusMemory', () => {
  it('reads the peak (VmHWM) and current (VmRSS) resident set size in bytes, not VmPeak or RssAnon', () => {
    assert.deepEqual(parseProcStatusMemory(STATUS), { peakRssBytes: 200 * 1024 * 1024, rssBytes: 150 * 1024 * 1024 });
  });

  it('answers undefined for a status without them (a kernel thread, a zombie)', () => {
    assert.equal(parseProcStatusMemory('Name:\tkthreadd\nState:\tS (sleeping)\n'), undefined);
  });
});

describe('readProcessMemory', () => {
  it("reads this process's own memory, its peak at least its current size", () => {
    const memory = readProcessMemory(process.pid);
    assert.ok(memory && memory.rssBytes > 0 && memory.peakRssBytes >= memory.rssBytes);
  });
});
