import { FakeLapor, FakeMessageProvider, SmtpTestServer, TEST_NATS_URL, TestSystem, waitFor } from '@smart-regency/testing';
import { connect, JSONCodec, headers as natsHeaders } from 'nats';
import request from 'supertest';
import { People, submittedReklame, serviceRows } from './support';

/**
 * Citizens and staff hear back: a real SMTP server and fake SMS and WhatsApp providers on
 * 127.0.0.1 receive what the whole system sends when people act through the gateway.
 */
describe('messages to people', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(9600);
  const { bearer, ids, personal } = people;
  const smtp = new SmtpTestServer();
  const sms = new FakeMessageProvider({ token: 'sms-token-uji' });
  const whatsapp = new FakeMessageProvider({ token: 'wa-token-uji' });
  const lapor = new FakeLapor({ token: 'lapor-token-uji' });

  const db = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => serviceRows<T>(system, 'notifications', sql, params);
  const mailTo = (who: string, subject: RegExp, timeoutMs = 20000) => smtp.waitFor((m) => m.to.includes(`${who}@example.id`) && subject.test(m.subject ?? ''), timeoutMs);
  const mailsTo = (who: string) => smtp.mails.filter((m) => m.to.includes(`${who}@example.id`) || m.to.includes(`${who}@pemda.labura.go.id`));
  const inbox = async (who: string, query = '') => (await api.get(`/api/v1/me/notifications${query}`).set('Authorization', bearer[who]).expect(200)).body;
  const fileComplaint = (who: string, visibility: 'public' | 'anonymous' | 'confidential', title = 'Lampu jalan mati') =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer[who])
      .send({ categoryCode: 'waste-environment', title, description: 'Sudah seminggu gelap, rawan kecelakaan malam hari.', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' }, visibility })
      .expect(201);
  const messagesAbout = async (recordId: string, who = 'admin') => (await api.get(`/api/v1/notification-messages?recordId=${recordId}&pageSize=100`).set('Authorization', bearer[who]).expect(200)).body;

  beforeAll(async () => {
    await Promise.all([smtp.start(), sms.start(), whatsapp.start(), lapor.start()]);
    system = await TestSystem.start({
      notifications: {
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.boundPort),
        SMTP_FROM: 'Pemkab Labura <layanan@labura.go.id>',
        SMS_PROVIDER_URL: sms.url,
        SMS_PROVIDER_TOKEN: 'sms-token-uji',
        WHATSAPP_PROVIDER_URL: whatsapp.url,
        WHATSAPP_PROVIDER_TOKEN: 'wa-token-uji',
        APP_BASE_URL: 'https://layanan.labura.go.id',
        MESSAGE_RETRY_SCHEDULE: '0.5,1,1,2',
        MESSAGE_POLL_MS: '100',
        LAPOR_URL: lapor.url,
        LAPOR_TOKEN: 'lapor-token-uji',
        LAPOR_POLL_SECONDS: '1',
      },
    });
    api = request(system.gatewayUrl);
    await people.signIn(system);
    await people.add('sari');
    await people.add('budi');
    await people.add('dewi');
    await people.add('petugas', { roles: ['officer'], agency: 'PUPR' });
    await people.add('kadis', { roles: ['agency_head'], agency: 'DLH' });
  }, 120000);

  afterAll(async () => {
    await system?.stop();
    await Promise.all([smtp.stop(), sms.stop(), whatsapp.stop(), lapor.stop()]);
  });

  it('tells the applicant their application arrived and what to fix, and the agency that work waits, by email and in the inbox', async () => {
    const app = await submittedReklame(api, bearer.sari);
    const mail = await mailTo('sari', new RegExp(app.number));
    expect(mail.from).toBe('layanan@labura.go.id');
    expect(mail.text).toContain('Warga sari');
    expect(mail.text).toContain(`https://layanan.labura.go.id/permit-applications/${app.id}`);
    expect(mail.text).toMatch(/WIB/);
    // The officer of the technical agency hears of new work in the queue.
    const staffMail = await smtp.waitFor((m) => m.to.includes('petugas@pemda.labura.go.id') && (m.subject ?? '').includes(app.number), 20000);
    expect(staffMail.text).not.toContain('Warga sari');

    const note = 'Foto lokasi buram, mohon unggah ulang yang jelas.';
    await api.post(`/api/v1/permit-applications/${app.id}/actions`).set('Authorization', bearer.petugas).send({ action: 'request-revision', note }).expect(200);
    const revision = await mailTo('sari', /perlu diperbaiki/);
    expect(revision.text).toContain(note);

    const box = await inbox('sari');
    expect(box.items.map((n: { type: string }) => n.type)).toEqual(['permit.revision_requested', 'permit.submitted']);
    expect(box.items[1]).toMatchObject({ link: `/permit-applications/${app.id}`, title: expect.stringContaining(app.number) });
    expect((await api.get('/api/v1/me/notifications/unread-count').set('Authorization', bearer.sari).expect(200)).body).toEqual({ count: 2 });
    const read = await api.post(`/api/v1/me/notifications/${box.items[1].id}/read`).set('Authorization', bearer.sari).expect(200);
    expect(read.body.readAt).toBeDefined();
    expect((await inbox('sari', '?unread=true')).items.map((n: { id: string }) => n.id)).toEqual([box.items[0].id]);
    // Someone else's message is not found, not forbidden: it does not exist for them.
    await api.post(`/api/v1/me/notifications/${box.items[0].id}/read`).set('Authorization', bearer.budi).expect(404);
    expect((await api.post('/api/v1/me/notifications/read-all').set('Authorization', bearer.sari).expect(200)).body).toEqual({ marked: 1 });
    expect((await api.get('/api/v1/me/notifications/unread-count').set('Authorization', bearer.sari).expect(200)).body).toEqual({ count: 0 });

    // Staff see per message whether it arrived, by role and never by person.
    const log = await waitFor('delivered outcomes', async () => {
      const l = await messagesAbout(app.id, 'petugas');
      const citizen = l.items.filter((m: { recipientRole: string }) => m.recipientRole === 'applicant');
      return citizen.length === 2 && citizen.every((m: { channels: Array<{ status: string }> }) => m.channels[0]?.status === 'delivered') ? l : undefined;
    });
    expect(JSON.stringify(log)).not.toContain(ids.sari);
    expect(log.items.find((m: { type: string }) => m.type === 'permit.submitted').channels).toEqual([{ channel: 'email', status: 'delivered', attempts: 1, deliveredAt: expect.any(String) }]);
  });

  it('writes in the language and on the channels a citizen chose, and sends no content of a confidential complaint by SMS or WhatsApp', async () => {
    expect((await api.get('/api/v1/me/notification-preferences').set('Authorization', bearer.budi).expect(200)).body).toEqual({
      channels: { email: true, sms: false, whatsapp: false, inApp: true },
      language: 'id',
    });
    const chosen = { channels: { email: true, sms: true, whatsapp: true, inApp: true }, language: 'en' };
    const put = await api.put('/api/v1/me/notification-preferences').set('Authorization', bearer.budi).send(chosen).expect(200);
    expect(put.body).toMatchObject({ ...chosen, updatedAt: expect.any(String) });
    await api.put('/api/v1/me/notification-preferences').set('Authorization', bearer.budi).send({ ...chosen, language: 'fr' }).expect(400);

    const open = (await fileComplaint('budi', 'public', 'Broken street light')).body;
    const mail = await mailTo('budi', new RegExp(`Complaint ${open.trackingNumber} received`));
    expect(mail.text).toContain('Dear Warga budi');
    const phone = `+62${personal.budi[3].slice(1)}`;
    const text = await sms.waitFor((m) => m.text.includes(open.trackingNumber), 20000);
    expect(text).toMatchObject({ channel: 'sms', to: phone });
    await whatsapp.waitFor((m) => m.text.includes(open.trackingNumber), 20000);

    // Every SMS about the public complaint is in (SMS and email go out together, one per channel).
    const counted = sms.messages.length;
    const secret = (await fileComplaint('budi', 'confidential', 'Pungutan liar di kantor desa')).body;
    const secretMail = await mailTo('budi', new RegExp(secret.trackingNumber));
    expect(secretMail.text).toContain('Pungutan liar di kantor desa');
    await waitFor('the SMS about the confidential complaint', async () => (sms.messages.length > counted ? true : undefined), 20000);
    const confidentialSms = sms.messages.slice(counted);
    expect(confidentialSms).toHaveLength(1);
    expect(confidentialSms[0].text).not.toContain(secret.trackingNumber);
    expect(confidentialSms[0].text).not.toContain('Pungutan');
    await whatsapp.waitFor((m) => m.reference !== text.reference && !m.text.includes(open.trackingNumber), 20000);
    expect(whatsapp.messages.map((m) => m.text).join('\n')).not.toContain('Pungutan');
  });

  it('names no anonymous reporter to staff, and an opted-out channel gets nothing while the inbox keeps the message', async () => {
    await api
      .put('/api/v1/me/notification-preferences')
      .set('Authorization', bearer.dewi)
      .send({ channels: { email: false, sms: true, whatsapp: false, inApp: true }, language: 'id' })
      .expect(200);
    const c = (await fileComplaint('dewi', 'anonymous', 'Sampah menumpuk di pasar')).body;
    await sms.waitFor((m) => m.text.includes(c.trackingNumber), 20000);
    // The coordinators (admins) are told of new work: by tracking number and title, never by who.
    const adminMail = await smtp.waitFor((m) => (m.subject ?? '').includes(c.trackingNumber) && m.to.some((t) => t.startsWith('admin')), 20000);
    for (const value of personal.dewi) expect(adminMail.text).not.toContain(value);
    expect(mailsTo('dewi')).toEqual([]);
    expect((await inbox('dewi')).items.map((n: { type: string }) => n.type)).toEqual(['complaint.received']);
    const log = await messagesAbout(c.id);
    const reporter = log.items.find((m: { recipientRole: string }) => m.recipientRole === 'reporter');
    expect(reporter.channels.map((ch: { channel: string }) => ch.channel)).toEqual(['sms']);
    expect(JSON.stringify(log)).not.toContain(ids.dewi);
  });

  it('retries email after the SMTP server comes back, and dead-letters an address the server refuses, with the reason', async () => {
    await smtp.stop();
    const c = (await fileComplaint('sari', 'public', 'Drainase tersumbat')).body;
    await waitFor('a failed attempt', async () => {
      const l = await messagesAbout(c.id);
      const m = l.items.find((x: { recipientRole: string }) => x.recipientRole === 'reporter');
      return m?.channels[0]?.attempts >= 1 && m.channels[0].status === 'pending' && m.channels[0].lastError ? m : undefined;
    }, 20000);
    await smtp.start();
    const mail = await mailTo('sari', new RegExp(c.trackingNumber), 30000);
    expect(mail.subject).toContain(c.trackingNumber);
    const delivered = await waitFor('the retried delivery', async () => {
      const l = await messagesAbout(c.id);
      const m = l.items.find((x: { recipientRole: string }) => x.recipientRole === 'reporter');
      return m?.channels[0]?.status === 'delivered' ? m.channels[0] : undefined;
    });
    expect(delivered.attempts).toBeGreaterThan(1);
    expect(smtp.mails.filter((m) => (m.subject ?? '').includes(c.trackingNumber) && m.to.includes('sari@example.id'))).toHaveLength(1);

    smtp.rejectRecipient('sari@example.id', 550);
    const refused = (await fileComplaint('sari', 'public', 'Jembatan retak')).body;
    const dead = await waitFor('the dead letter', async () => {
      const l = (await api.get('/api/v1/notification-messages?status=failed&pageSize=100').set('Authorization', bearer.admin).expect(200)).body;
      return l.items.find((m: { recordId: string }) => m.recordId === refused.id);
    }, 20000);
    expect(dead.channels[0]).toMatchObject({ channel: 'email', status: 'failed', attempts: 1, lastError: expect.stringMatching(/550/) });
    expect(dead.channels[0].lastError).not.toContain('sari@example.id');
  });

  it('sends one message for an event delivered twice', async () => {
    const c = (await fileComplaint('budi', 'public', 'Pohon tumbang')).body;
    await mailTo('budi', new RegExp(c.trackingNumber));
    const [{ event }] = await serviceRows<{ event: { id: string; subject: string } }>(system, 'complaints', `SELECT event FROM outbox WHERE type = 'complaints.complaint.received.v1' AND record_id = $1`, [c.id]);
    expect(event).toMatchObject({ id: expect.any(String), subject: c.id });
    // Published again under another NATS message id, so JetStream's duplicate window does not drop it: the consumer sees it twice.
    const nc = await connect({ servers: TEST_NATS_URL });
    try {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', `again-${event.id}`);
      await nc.jetstream().publish(`${system.env.eventsPrefix}.complaints.complaint.received.v1`, JSONCodec().encode(event), { headers: h });
    } finally {
      await nc.close();
    }
    // A later event of the same person arrives after the repeat has been handled (one consumer, in order).
    const later = (await fileComplaint('budi', 'public', 'Pohon tumbang lagi')).body;
    await mailTo('budi', new RegExp(later.trackingNumber));
    expect(smtp.mails.filter((m) => (m.subject ?? '').includes(c.trackingNumber) && m.to.includes('budi@example.id'))).toHaveLength(1);
    expect((await db(`SELECT count(*)::int AS n FROM notifications WHERE record_id = $1 AND type = 'complaint.received'`, [c.id]))[0]).toEqual({ n: 1 });
  });

  it('lets admins edit templates as data, refusing variables a message does not offer', async () => {
    const list = (await api.get('/api/v1/notification-templates').set('Authorization', bearer.admin).expect(200)).body;
    const received = list.find((t: { type: string; language: string }) => t.type === 'complaint.received' && t.language === 'id');
    expect(received).toMatchObject({ audience: 'citizen', customised: false, variables: expect.arrayContaining(['trackingNumber', 'dueAt']) });
    await api.get('/api/v1/notification-templates').set('Authorization', bearer.sari).expect(403);

    const bad = await api
      .put('/api/v1/notification-templates/complaint.received/id')
      .set('Authorization', bearer.admin)
      .send({ subject: 'Diterima {{trackingNumber}}', body: 'NIK Anda {{nik}}', short: 'ok' })
      .expect(400);
    expect(bad.body.errors).toEqual([{ field: 'body', message: expect.stringContaining('unknown variable "nik"') }]);
    await api.put('/api/v1/notification-templates/no.such.type/id').set('Authorization', bearer.admin).send({ subject: 'a', body: 'b', short: 'c' }).expect(404);
    await api.put('/api/v1/notification-templates/complaint.received/fr').set('Authorization', bearer.admin).send({ subject: 'a', body: 'b', short: 'c' }).expect(400);

    const saved = await api
      .put('/api/v1/notification-templates/complaint.received/id')
      .set('Authorization', bearer.admin)
      .send({ subject: 'LAPORAN {{trackingNumber}} MASUK', body: 'Halo {{name}}, laporan {{trackingNumber}} masuk.', short: 'Laporan {{trackingNumber}} masuk.' })
      .expect(200);
    expect(saved.body).toMatchObject({ customised: true, updatedAt: expect.any(String) });
    const c = (await fileComplaint('dewi', 'public', 'Trotoar rusak')).body;
    await waitFor('the edited template in the inbox', async () => {
      const box = await inbox('dewi');
      return box.items.find((n: { title: string }) => n.title === `LAPORAN ${c.trackingNumber} MASUK`);
    }, 20000);
  });

  it('erases a citizen’s messages and choices with their account', async () => {
    await people.add('erna');
    await api.put('/api/v1/me/notification-preferences').set('Authorization', bearer.erna).send({ channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'en' }).expect(200);
    const c = (await fileComplaint('erna', 'public', 'Got mampet depan rumah Warga erna')).body;
    await mailTo('erna', new RegExp(c.trackingNumber));
    // The coordinators' message quotes the title she wrote.
    await waitFor('the coordinators told', async () => (await inbox('admin')).items.find((n: { title: string; body: string }) => n.body.includes('Warga erna')), 20000);
    const exported = (await api.get('/api/v1/me/data-export').set('Authorization', bearer.erna).expect(200)).body;
    expect(exported.notifications).toMatchObject({ preferences: { language: 'en' }, notifications: [{ type: 'complaint.received' }] });

    await api.delete('/api/v1/me').set('Authorization', bearer.erna).send({ password: people.passwords.erna }).expect(202);
    await waitFor('the erasure in notifications', async () => {
      const [{ n }] = await db<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE user_id = $1`, [ids.erna]);
      return n === 0 ? true : undefined;
    }, 20000);
    expect(await db(`SELECT * FROM notification_preferences WHERE user_id = $1`, [ids.erna])).toEqual([]);
    // Nobody's message quotes her any more; the coordinators' message about her complaint is emptied.
    expect(await db(`SELECT id FROM notifications n WHERE n::text ILIKE '%Warga erna%'`)).toEqual([]);
    const about = await db<{ title: string; recipient_role: string }>(`SELECT title, recipient_role FROM notifications WHERE record_id = $1`, [c.id]);
    expect(about.length).toBeGreaterThan(0);
    expect(about.every((m) => m.recipient_role === 'staff' && m.title.startsWith('[dihapus'))).toBe(true);
  });

  it('forwards a complaint to SP4N-LAPOR! from the agency head’s action, and brings its statuses back into the history and to the reporter', async () => {
    const c = (await fileComplaint('sari', 'public', 'Limbah pabrik ke sungai')).body;
    await api.post(`/api/v1/complaints/${c.id}/actions`).set('Authorization', bearer.admin).send({ action: 'verify' }).expect(200);
    await api.post(`/api/v1/complaints/${c.id}/actions`).set('Authorization', bearer.admin).send({ action: 'dispose', agencyId: people.agencies.DLH }).expect(200);
    await api.post(`/api/v1/complaints/${c.id}/forward-lapor`).set('Authorization', bearer.kadis).send({ note: 'Lintas kabupaten: perlu penanganan provinsi.' }).expect(202);

    const report = await lapor.waitFor((r) => r.body.referensi === c.id, 20000);
    expect(report.body).toMatchObject({ nomorPelacakan: c.trackingNumber, judul: 'Limbah pabrik ke sungai' });
    for (const value of personal.sari) expect(JSON.stringify(report.body)).not.toContain(value);
    const forwarded = await waitFor('the forward in the history', async () => {
      const body = (await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.kadis).expect(200)).body;
      return body.lapor?.status === 'forwarded' ? body : undefined;
    }, 20000);
    expect(forwarded.lapor.laporId).toBe(report.laporId);
    expect(forwarded.history.map((h: { action: string }) => h.action)).toEqual(expect.arrayContaining(['forward_lapor', 'lapor_forwarded']));
    await waitFor('the reporter told of the forward', async () => (await inbox('sari')).items.find((n: { type: string }) => n.type === 'complaint.forwarded_lapor'), 20000);

    lapor.setStatus(report.laporId, 'diproses', 'Sedang ditindaklanjuti instansi provinsi', 'Tim DLH Provinsi turun ke lokasi pekan ini.');
    const updated = await waitFor('the status from SP4N-LAPOR! in the history', async () => {
      const body = (await api.get(`/api/v1/complaints/${c.id}`).set('Authorization', bearer.sari).expect(200)).body;
      return body.history.find((h: { action: string }) => h.action === 'lapor_update') ? body : undefined;
    }, 20000);
    expect(updated.history.find((h: { action: string }) => h.action === 'lapor_update').note).toContain('Tim DLH Provinsi turun ke lokasi');
    const told = await waitFor('the reporter told of the update', async () => (await inbox('sari')).items.find((n: { type: string }) => n.type === 'complaint.lapor_update'), 20000);
    expect(told.body).toContain('diproses');
    // One report at LAPOR!, however often its status was read.
    expect(lapor.reports.filter((r) => r.body.referensi === c.id)).toHaveLength(1);
  });
});
