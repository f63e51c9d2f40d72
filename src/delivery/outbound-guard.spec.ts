import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import type { Settings } from '../config/settings';
import { OutboundBlockedError, OutboundGuard } from './outbound-guard';

const guard = (allow: string[] = []) => new OutboundGuard({ HOOKFLOW_OUTBOUND_ALLOW: allow } as Settings);

function allowed(subject: OutboundGuard, address: string, host = 'receiver.example'): boolean {
  try {
    subject.checkAddress(host, address);
    return true;
  } catch (error) {
    assert.ok(error instanceof OutboundBlockedError);
    assert.equal(error.code, 'OUTBOUND_BLOCKED');
    return false;
  }
}

const BLOCKED = [
  '127.0.0.1',
  '127.255.255.254',
  '::1',
  '0.0.0.0',
  '::', // loopback, unspecified
  '169.254.169.254',
  'fe80::1',
  'fd00:ec2::254',
  '100.100.100.200',
  '192.0.0.192', // link-local and cloud metadata
  '10.1.2.3',
  '172.16.0.1',
  '172.31.255.255',
  '192.168.1.1',
  'fc00::1', // private
  '100.64.0.1',
  '224.0.0.1',
  'ff02::1',
  '255.255.255.255',
  '240.0.0.1', // CGNAT, multicast, broadcast, reserved
  '::ffff:169.254.169.254',
  '::ffff:10.0.0.1',
  '::ffff:127.0.0.1', // IPv4-mapped
  '::127.0.0.1',
  '64:ff9b::a9fe:a9fe',
  '2002:a9fe:a9fe::1',
  '2001:0:4136:e378::1', // IPv4-compatible, NAT64, 6to4, Teredo
];
const PUBLIC = ['93.184.215.14', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'];

describe(OutboundGuard.name, () => {
  it('refuses loopback, link-local, private, metadata and special addresses by default', () => {
    const subject = guard();
    assert.deepEqual(
      BLOCKED.filter((address) => allowed(subject, address)),
      [],
    );
  });

  it('lets public unicast addresses through', () => {
    const subject = guard();
    assert.deepEqual(
      PUBLIC.filter((address) => !allowed(subject, address)),
      [],
    );
  });

  it('names the refused address in its message', () => {
    assert.throws(() => guard().checkAddress('metadata', '169.254.169.254'), {
      message: 'outbound address 169.254.169.254 is not allowed (HOOKFLOW_OUTBOUND_ALLOW)',
    });
  });

  it('opens addresses inside an allowed CIDR or IP, and nothing else', () => {
    const subject = guard(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::ffff:172.16.0.0/108']);
    assert.ok(allowed(subject, '10.200.0.1'));
    assert.ok(allowed(subject, '::ffff:10.0.0.1'));
    assert.ok(allowed(subject, '192.168.1.7'));
    assert.ok(!allowed(subject, '192.168.1.8'));
    assert.ok(allowed(subject, 'fd12::1'));
    assert.ok(allowed(subject, '172.16.5.5'));
    assert.ok(!allowed(subject, '127.0.0.1'));
  });

  it('opens an allowed host name whatever it resolves to, matched case-insensitively', () => {
    const subject = guard(['Hooks.Internal', '*.corp.example']);
    assert.ok(allowed(subject, '10.0.0.5', 'hooks.internal'));
    assert.ok(allowed(subject, '10.0.0.5', 'HOOKS.INTERNAL.'));
    assert.ok(allowed(subject, '10.0.0.5', 'api.corp.example'));
    assert.ok(!allowed(subject, '10.0.0.5', 'corp.example'));
    assert.ok(!allowed(subject, '10.0.0.5', 'evilcorp.example'));
    assert.ok(!allowed(subject, '10.0.0.5', 'other.internal'));
  });

  it('stops at start on an allow entry that is not a host, IP or CIDR', () => {
    assert.throws(() => guard(['10.0.0.0/40']), /HOOKFLOW_OUTBOUND_ALLOW/);
    assert.throws(() => guard(['example.com/8']), /HOOKFLOW_OUTBOUND_ALLOW/);
  });

  it('checks every address DNS returns for a name before answering the connect', async () => {
    const lookup = (subject: OutboundGuard, family?: number) =>
      new Promise<{ error: Error | null; address: string | LookupAddress[] }>((resolve) =>
        subject.lookup('localhost', { all: family === undefined, family }, (error, address) => resolve({ error, address })),
      );
    const refused = await lookup(guard());
    assert.ok(refused.error instanceof OutboundBlockedError);
    const all = await lookup(guard(['127.0.0.0/8', '::1']));
    assert.equal(all.error, null);
    assert.ok(Array.isArray(all.address) && all.address.length >= 1);
    const one = await lookup(guard(['127.0.0.1']), 4);
    assert.deepEqual(one, { error: null, address: '127.0.0.1' });
  });
});
