import { readFileSync } from 'fs';
import { resolve } from 'path';
import { busPermissions, renderNatsConfig } from './permissions';

describe('NATS permissions', () => {
  it('deploy/nats/nats.conf is what permissions.ts renders (npx nx run platform:nats-config)', () => {
    const committed = readFileSync(resolve(__dirname, '../../../../deploy/nats/nats.conf'), 'utf8');
    expect(committed).toBe(renderNatsConfig({ storeDir: '/data/jetstream' }));
  });

  it('lets only identity publish identity events and only the gateway ask for users; nobody deletes a stream', () => {
    const p = busPermissions();
    expect(p.identity.publish).toContain('events.identity.>');
    for (const user of ['gateway', 'permits', 'complaints', 'reporting'] as const) {
      expect(p[user].publish.some((s) => s.startsWith('events.identity'))).toBe(false);
    }
    expect(p.gateway.publish).toContain('identity.user.list');
    for (const user of ['identity', 'permits', 'complaints', 'reporting'] as const) expect(p[user].publish).not.toContain('identity.user.list');
    expect(p.permits.publish).toContain('identity.user.holder-name');
    expect(p.gateway.publish).not.toContain('identity.user.holder-name');
    const all = Object.values(p).flatMap((u) => u.publish);
    expect(all.filter((s) => /STREAM\.DELETE|STREAM\.PURGE\.REGENCY|MSG\.DELETE|\$JS\.API\.>|^>$/.test(s))).toEqual([]);
    // Each process reads replies on its own inbox only.
    for (const [user, perm] of Object.entries(p)) expect(perm.subscribe.filter((s) => s.startsWith('_INBOX'))).toEqual([`_INBOX.${user}.>`]);
  });
});
