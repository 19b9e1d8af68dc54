import { SmtpTestServer, TestSystem, waitFor } from '@smart-regency/testing';
import request from 'supertest';
import { People, serviceRows, submittedReklame } from './support';

/**
 * What staff hear: a warning before a deadline of their queue passes (once per deadline), and the
 * daily digest instead of instant messages when they choose it. The checks run every second here
 * and the warning window is two weeks, so every open deadline is inside it.
 */
describe('messages to staff', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(6400);
  const { bearer, agencies } = people;
  const smtp = new SmtpTestServer();
  const staffMail = (who: string) => `${who}@pemda.labura.go.id`;
  const mailsOf = (who: string, subject: RegExp) => smtp.mails.filter((m) => m.to.includes(staffMail(who)) && subject.test(m.subject ?? ''));
  const dispose = async (title: string) => {
    const c = (
      await api
        .post('/api/v1/complaints')
        .set('Authorization', bearer.warga)
        .send({ categoryCode: 'waste-environment', title, description: 'Sampah tidak diangkut dua minggu.', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' }, visibility: 'public' })
        .expect(201)
    ).body;
    await api.post(`/api/v1/complaints/${c.id}/actions`).set('Authorization', bearer.admin).send({ action: 'verify' }).expect(200);
    await api.post(`/api/v1/complaints/${c.id}/actions`).set('Authorization', bearer.admin).send({ action: 'dispose', agencyId: agencies.DLH }).expect(200);
    return c;
  };

  beforeAll(async () => {
    await smtp.start();
    system = await TestSystem.start({
      notifications: {
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.boundPort),
        MESSAGE_POLL_MS: '100',
        DEADLINE_CHECK_SECONDS: '1',
        DEADLINE_WARNING_HOURS: String(24 * 14),
        DIGEST_CHECK_SECONDS: '1',
      },
      complaints: { CITIZEN_FILINGS_PER_DAY: '1000' },
    });
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('warga');
    await people.add('pupr', { roles: ['officer'], agency: 'PUPR' });
    await people.add('dlh', { roles: ['officer'], agency: 'DLH' });
    await people.add('kadisdlh', { roles: ['agency_head'], agency: 'DLH' });
  }, 120000);

  afterAll(async () => {
    await system?.stop();
    await smtp.stop();
  });

  it('warns the agency whose queue holds an application before its deadline passes, once', async () => {
    const app = await submittedReklame(api, bearer.warga);
    const warning = await smtp.waitFor((m) => m.to.includes(staffMail('pupr')) && (m.subject ?? '') === `Segera jatuh tempo: permohonan ${app.number}`, 20000);
    expect(warning.text).toContain('WIB');
    // The same deadline is not warned of again: a later message to the same officer arrives, the warning stays one.
    await api.post(`/api/v1/permit-applications/${app.id}/actions`).set('Authorization', bearer.pupr).send({ action: 'request-revision', note: 'Lengkapi foto.' }).expect(200);
    const other = await submittedReklame(api, bearer.warga);
    await smtp.waitFor((m) => m.to.includes(staffMail('pupr')) && (m.subject ?? '') === `Segera jatuh tempo: permohonan ${other.number}`, 20000);
    expect(mailsOf('pupr', new RegExp(`jatuh tempo: permohonan ${app.number}$`))).toHaveLength(1);
    const [row] = await serviceRows<{ n: number }>(system, 'notifications', `SELECT count(*)::int AS n FROM notifications WHERE record_id = $1 AND type = 'staff.permit.due_soon'`, [app.id]);
    expect(row.n).toBe(1);
  });

  it('gives staff who choose it one digest of their messages instead of a message each', async () => {
    const first = await dispose('Sampah di Pasar Aek Kanopan');
    await smtp.waitFor((m) => m.to.includes(staffMail('dlh')) && (m.subject ?? '').includes(first.trackingNumber), 20000);

    const chosen = { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'id', staff: { instant: false, dailyDigest: true } };
    const put = await api.put('/api/v1/me/notification-preferences').set('Authorization', bearer.dlh).send(chosen).expect(200);
    expect(put.body).toMatchObject(chosen);
    const digest = await smtp.waitFor((m) => m.to.includes(staffMail('dlh')) && /^Ringkasan harian .+: \d+ pemberitahuan$/.test(m.subject ?? ''), 20000).catch((error) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(smtp.mails.filter((m) => m.to.includes(staffMail('dlh'))).map((m) => m.subject))}\n${system.process('notifications').output.slice(-15).join('\n')}`);
    });
    expect(digest.text).toContain(first.trackingNumber);
    expect(mailsOf('dlh', /^Ringkasan harian/)).toHaveLength(1);

    // From now on: the inbox and the digest, no instant mail. The head of the agency, on instant, shows the message went out.
    const second = await dispose('Sampah di Terminal Aek Kanopan');
    await smtp.waitFor((m) => m.to.includes(staffMail('kadisdlh')) && (m.subject ?? '').includes(second.trackingNumber), 20000);
    await waitFor('the message in the officer’s inbox', async () => {
      const box = (await api.get('/api/v1/me/notifications').set('Authorization', bearer.dlh).expect(200)).body;
      return box.items.find((n: { title: string }) => n.title.includes(second.trackingNumber));
    }, 20000);
    expect(mailsOf('dlh', new RegExp(second.trackingNumber))).toEqual([]);
    // A citizen has no staff choices to make.
    const citizen = (await api.get('/api/v1/me/notification-preferences').set('Authorization', bearer.warga).expect(200)).body;
    expect(citizen).not.toHaveProperty('staff');
  });
});
