import { FakeLapor, FakeMessageProvider, SmtpTestServer, TestSystem, waitFor } from '@smart-regency/testing';
import request from 'supertest';
import { announceOversized, People, serviceRows } from './support';

/**
 * Messages to people as an attacker and a strict reviewer would try them: other people's inboxes,
 * other agencies' message logs, roles reaching for routes that are not theirs, reporters' identities
 * and confidential content looking for a way out, templates that try to be programs, hostile
 * bodies, a provider that hangs and a person who opts out while a message waits.
 */
const TIMEOUT_MS = 20000;

interface Message {
  id: string;
  recordId: string | null;
  recipientRole: string;
  type: string;
  channels: Array<{ channel: string; status: string; attempts: number; lastError?: string }>;
}

describe('messages to people under attack', () => {
  let system: TestSystem;
  let api: ReturnType<typeof request>;
  const people = new People(6600);
  const { bearer, ids, personal, agencies } = people;
  const smtp = new SmtpTestServer();
  const sms = new FakeMessageProvider({ token: 'sms-token-serang' });
  const whatsapp = new FakeMessageProvider({ token: 'wa-token-serang' });
  const lapor = new FakeLapor({ token: 'lapor-token-serang' });

  const db = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => serviceRows<T>(system, 'notifications', sql, params);
  const inbox = async (who: string, query = '') => (await api.get(`/api/v1/me/notifications${query}`).set('Authorization', bearer[who]).expect(200)).body;
  const fileComplaint = (who: string, visibility: 'public' | 'anonymous' | 'confidential', title: string, categoryCode = 'waste-environment') =>
    api
      .post('/api/v1/complaints')
      .set('Authorization', bearer[who])
      .send({ categoryCode, title, description: 'Sudah dua minggu tidak ditangani petugas.', location: { lat: 2.578, lng: 99.618, district: 'Kualuh Hulu' }, visibility })
      .expect(201)
      .then((r) => r.body as { id: string; trackingNumber: string });
  const act = (id: string, body: Record<string, unknown>, who = 'admin') => api.post(`/api/v1/complaints/${id}/actions`).set('Authorization', bearer[who]).send(body).expect(200);
  const messagesAbout = async (recordId: string, who = 'admin'): Promise<Message[]> =>
    (await api.get(`/api/v1/notification-messages?recordId=${recordId}&pageSize=100`).set('Authorization', bearer[who]).expect(200)).body.items;
  const setPrefs = (who: string, channels: Partial<Record<'email' | 'sms' | 'whatsapp' | 'inApp', boolean>>, extra: Record<string, unknown> = {}) =>
    api
      .put('/api/v1/me/notification-preferences')
      .set('Authorization', bearer[who])
      .send({ channels: { email: true, sms: false, whatsapp: false, inApp: true, ...channels }, language: 'id', ...extra })
      .expect(200);
  /** A member of staff with a mobile number (People's staff have none), signed in under `name`. */
  const staffWithPhone = async (name: string, roles: string[], agency: string, phone: string) => {
    const password = `Sandi-Serang-${phone.slice(-4)}-Labura`;
    const email = `${name}@pemda.labura.go.id`;
    const res = await api.post('/api/v1/users').set('Authorization', bearer.admin).send({ email, fullName: `Staf ${name}`, phone, roles, agencyId: agencies[agency], password });
    if (res.status !== 201) throw new Error(`staff ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    ids[name] = res.body.id;
    bearer[name] = `Bearer ${await system.login(email, password)}`;
  };

  /** Waits until no SMS waits to be composed or sent, so that a scripted provider failure meets the test's own message. */
  const smsQuiet = () =>
    waitFor('no SMS under way', async () => {
      const [{ n }] = await db<{ n: number }>(`SELECT (SELECT count(*) FROM message_deliveries WHERE status = 'pending' AND channel = 'sms') + (SELECT count(*) FROM message_jobs WHERE status = 'pending') AS n`);
      return Number(n) === 0 ? true : undefined;
    }, TIMEOUT_MS);
  /** A template as it stands now (to put it back after a test changed it). */
  const currentTemplate = async (type: string, language: string) => {
    const list = (await api.get('/api/v1/notification-templates').set('Authorization', bearer.admin).expect(200)).body;
    const { subject, body, short } = list.find((t: { type: string; language: string }) => t.type === type && t.language === language);
    return { subject, body, short };
  };

  beforeAll(async () => {
    await Promise.all([smtp.start(), sms.start(), whatsapp.start(), lapor.start()]);
    system = await TestSystem.start({
      notifications: {
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.boundPort),
        SMTP_FROM: 'Pemkab Labura <layanan@labura.go.id>',
        SMS_PROVIDER_URL: sms.url,
        SMS_PROVIDER_TOKEN: 'sms-token-serang',
        WHATSAPP_PROVIDER_URL: whatsapp.url,
        WHATSAPP_PROVIDER_TOKEN: 'wa-token-serang',
        APP_BASE_URL: 'https://layanan.labura.go.id',
        MESSAGE_RETRY_SCHEDULE: '0.5,1,1,2',
        MESSAGE_POLL_MS: '100',
        MESSAGE_TIMEOUT_MS: String(TIMEOUT_MS),
        LAPOR_URL: lapor.url,
        LAPOR_TOKEN: 'lapor-token-serang',
        LAPOR_POLL_SECONDS: '1',
      },
    });
    api = request(system.gatewayUrl);
    await people.signIn(system);
    for (const citizen of ['sari', 'budi', 'dewi', 'erna', 'wati']) await people.add(citizen);
    await people.add('petugas', { roles: ['officer'], agency: 'PUPR' });
    await people.add('kadis', { roles: ['agency_head'], agency: 'DLH' });
    await people.add('kadispupr', { roles: ['agency_head'], agency: 'PUPR' });
    await people.add('auditor', { roles: ['auditor'] });
    await staffWithPhone('kabid', ['officer'], 'DLH', '081377001122');
    const sa = (await api.post('/api/v1/service-accounts').set('Authorization', bearer.admin).send({ name: 'Bridge', scopes: ['events:read'] }).expect(201)).body;
    const token = (await api.post('/api/v1/auth/token').type('form').send({ grant_type: 'client_credentials', client_id: sa.clientId, client_secret: sa.clientSecret }).expect(200)).body;
    bearer.integrator = `Bearer ${token.access_token}`;
  }, 180000);

  afterAll(async () => {
    await system?.stop();
    await Promise.all([smtp.stop(), sms.stop(), whatsapp.stop(), lapor.stop()]);
  }, 60000);

  it("keeps each inbox to its owner: another person's message cannot be read, marked or counted", async () => {
    const c = await fileComplaint('sari', 'public', 'Sampah di parit');
    const mine = await waitFor('sari’s message', async () => (await inbox('sari')).items.find((n: { title: string }) => n.title.includes(c.trackingNumber)), TIMEOUT_MS);
    const before = (await api.get('/api/v1/me/notifications/unread-count').set('Authorization', bearer.sari).expect(200)).body.count;
    expect(before).toBeGreaterThan(0);

    // Budi, an officer, an admin: none of them finds it as theirs.
    for (const who of ['budi', 'petugas', 'admin']) {
      const res = await api.post(`/api/v1/me/notifications/${mine.id}/read`).set('Authorization', bearer[who]).expect(404);
      expect(res.body.code).toBe('NOTIFICATIONS.NOTIFICATION_NOT_FOUND');
      expect(JSON.stringify((await inbox(who)).items)).not.toContain(mine.id);
    }
    await api.post('/api/v1/me/notifications/read-all').set('Authorization', bearer.budi).expect(200);
    expect((await api.get('/api/v1/me/notifications/unread-count').set('Authorization', bearer.sari).expect(200)).body.count).toBe(before);
    expect((await inbox('sari', '?unread=true')).items.map((n: { id: string }) => n.id)).toContain(mine.id);
  });

  it("shows an agency's staff only their agency's message log, whatever they filter by", async () => {
    const c = await fileComplaint('budi', 'public', 'Bau limbah di sungai');
    await act(c.id, { action: 'verify' });
    await act(c.id, { action: 'dispose', agencyId: agencies.DLH });
    // The reporter hears of receipt, verification and disposition; the admin of new work; DLH's two members of staff too.
    const all = await waitFor('the messages about the DLH complaint', async () => {
      const l = await messagesAbout(c.id);
      return l.length === 6 ? l : undefined;
    }, TIMEOUT_MS);
    expect(all.filter((m) => m.recipientRole === 'reporter')).toHaveLength(3);
    // DLH's head sees them; PUPR's officer and head see nothing of them, by record or by status.
    expect((await messagesAbout(c.id, 'kadis')).length).toBeGreaterThan(0);
    for (const who of ['petugas', 'kadispupr']) {
      expect(await messagesAbout(c.id, who)).toEqual([]);
      for (const status of ['pending', 'delivered', 'failed', 'skipped']) {
        const page = (await api.get(`/api/v1/notification-messages?status=${status}&pageSize=100`).set('Authorization', bearer[who]).expect(200)).body;
        for (const m of all) expect(JSON.stringify(page)).not.toContain(m.id);
      }
    }
    // Auditors read everything, and no log names a person.
    expect((await messagesAbout(c.id, 'auditor')).map((m) => m.id).sort()).toEqual(all.map((m) => m.id).sort());
    expect(JSON.stringify(all)).not.toContain(ids.budi);
  });

  it('keeps citizens, integrators and auditors off the routes that are not theirs', async () => {
    const put = { subject: 'x', body: 'y', short: 'z' };
    const prefs = { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'id' };
    const refused: Array<[string, string, string, unknown?]> = [
      ['sari', 'get', '/api/v1/notification-messages'],
      ['sari', 'get', '/api/v1/notification-templates'],
      ['sari', 'put', '/api/v1/notification-templates/complaint.received/id', put],
      ['petugas', 'get', '/api/v1/notification-templates'],
      ['kadis', 'put', '/api/v1/notification-templates/complaint.received/id', put],
      ['auditor', 'put', '/api/v1/notification-templates/complaint.received/id', put],
      ['integrator', 'get', '/api/v1/me/notifications'],
      ['integrator', 'get', '/api/v1/me/notifications/unread-count'],
      ['integrator', 'post', '/api/v1/me/notifications/read-all'],
      ['integrator', 'get', '/api/v1/me/notification-preferences'],
      ['integrator', 'put', '/api/v1/me/notification-preferences', prefs],
      ['integrator', 'get', '/api/v1/notification-messages'],
      ['integrator', 'get', '/api/v1/notification-templates'],
    ];
    for (const [who, method, path, body] of refused) {
      const res = await api[method as 'get'](path).set('Authorization', bearer[who]).send(body as object);
      expect({ who, method, path, status: res.status }).toEqual({ who, method, path, status: 403 });
    }
    for (const path of ['/api/v1/me/notifications', '/api/v1/notification-messages', '/api/v1/notification-templates']) await api.get(path).expect(401);
    await api.get('/api/v1/me/notifications').set('Authorization', 'Bearer not.a.token').expect(401);
    // Nothing was saved by the refused template writes.
    const list = (await api.get('/api/v1/notification-templates').set('Authorization', bearer.admin).expect(200)).body;
    expect(list.find((t: { type: string; language: string }) => t.type === 'complaint.received' && t.language === 'id').customised).toBe(false);

    // Forwarding to SP4N-LAPOR!: not for officers, auditors or citizens, nor for the head of another agency.
    const c = await fileComplaint('sari', 'public', 'Pembakaran sampah');
    await act(c.id, { action: 'verify' });
    await act(c.id, { action: 'dispose', agencyId: agencies.DLH });
    for (const who of ['sari', 'auditor', 'kabid', 'integrator']) await api.post(`/api/v1/complaints/${c.id}/forward-lapor`).set('Authorization', bearer[who]).send({}).expect(403);
    expect([403, 404]).toContain((await api.post(`/api/v1/complaints/${c.id}/forward-lapor`).set('Authorization', bearer.kadispupr).send({})).status);
    expect(lapor.reports.filter((r) => r.body.referensi === c.id)).toEqual([]);
  });

  it('names an anonymous reporter in no message to staff, no message log and no LAPOR! report', async () => {
    await setPrefs('dewi', { sms: true });
    const c = await fileComplaint('dewi', 'anonymous', 'Pungli di TPS pasar');
    await act(c.id, { action: 'verify' });
    await act(c.id, { action: 'dispose', agencyId: agencies.DLH });
    await api.post(`/api/v1/complaints/${c.id}/comments`).set('Authorization', bearer.dewi).send({ body: 'Kejadian lagi pagi ini.' }).expect(201);
    await api.post(`/api/v1/complaints/${c.id}/forward-lapor`).set('Authorization', bearer.kadis).send({}).expect(202);
    const report = await lapor.waitFor((r) => r.body.referensi === c.id, TIMEOUT_MS);
    expect(report.body).toMatchObject({ anonim: true });
    expect(report.body.pelapor).toBeUndefined();

    const staffMail = await smtp.waitFor((m) => m.to.includes('kadis@pemda.labura.go.id') && /Balasan pelapor|Reporter replied/.test(m.subject ?? '') && (m.subject ?? '').includes(c.trackingNumber), TIMEOUT_MS);
    const toStaff = smtp.mails.filter((m) => m.to.some((t) => t.endsWith('@pemda.labura.go.id') || t.startsWith('admin')) && m.text?.includes(c.trackingNumber));
    expect(toStaff.length).toBeGreaterThanOrEqual(2);
    expect(toStaff).toContain(staffMail);
    const staffInboxes = [...(await inbox('kadis')).items, ...(await inbox('kabid')).items, ...(await inbox('admin')).items];
    const log = await messagesAbout(c.id);
    const everything = JSON.stringify([toStaff.map((m) => [m.subject, m.text]), staffInboxes, log, report.body]);
    for (const value of [...personal.dewi, ids.dewi, 'Warga dewi']) expect(everything).not.toContain(value);
  });

  it('sends no content of a confidential complaint to staff by SMS, even when an admin puts the title in the SMS text', async () => {
    await setPrefs('kabid', { sms: true }, { staff: { instant: true, dailyDigest: false } });
    const original = await currentTemplate('staff.complaint.new_work', 'id');
    await api
      .put('/api/v1/notification-templates/staff.complaint.new_work/id')
      .set('Authorization', bearer.admin)
      .send({ subject: 'Antrean {{trackingNumber}}', body: 'Pengaduan "{{title}}" {{trackingNumber}}', short: 'Antrean {{trackingNumber}}: {{title}}' })
      .expect(200);
    try {
      await confidentialToStaff();
    } finally {
      await api.put('/api/v1/notification-templates/staff.complaint.new_work/id').set('Authorization', bearer.admin).send(original).expect(200);
    }
  });

  const confidentialToStaff = async () => {
    const open = await fileComplaint('sari', 'public', 'Selokan meluap');
    await act(open.id, { action: 'verify' });
    await act(open.id, { action: 'dispose', agencyId: agencies.DLH });
    // The customised text reaches staff for a public complaint: the attack below would work if nothing stopped it.
    const publicSms = await sms.waitFor((m) => m.to === '+6281377001122' && m.text.includes(open.trackingNumber), TIMEOUT_MS);
    expect(publicSms.text).toContain('Selokan meluap');

    const secret = await fileComplaint('sari', 'confidential', 'Kepala desa minta uang tutup mulut');
    await act(secret.id, { action: 'verify' });
    await act(secret.id, { action: 'dispose', agencyId: agencies.DLH });
    const mail = await smtp.waitFor((m) => m.to.includes('kabid@pemda.labura.go.id') && (m.subject ?? '').includes(secret.trackingNumber), TIMEOUT_MS);
    expect(mail.text).toContain('Kepala desa minta uang');
    const text = await sms.waitFor((m) => m.to === '+6281377001122' && m.text.includes(secret.trackingNumber), TIMEOUT_MS);
    expect(text.text).not.toContain('Kepala desa');
  };


  it('keeps addresses and message text out of the reason a provider refused a message', async () => {
    await setPrefs('wati', { email: false, sms: true });
    // No other SMS under way may take the scripted refusal.
    await smsQuiet();
    sms.failNext(1, 400);
    const c = await fileComplaint('wati', 'public', 'Truk sampah tidak datang');
    const dead = await waitFor('the refused SMS', async () => {
      const m = (await messagesAbout(c.id)).find((x) => x.recipientRole === 'reporter');
      return m?.channels[0]?.status === 'failed' ? m.channels[0] : undefined;
    }, TIMEOUT_MS);
    expect(dead).toMatchObject({ channel: 'sms', attempts: 1, lastError: expect.stringContaining('400') });
    const phone = personal.wati[3];
    for (const leak of [phone, `+62${phone.slice(1)}`, c.trackingNumber, 'Truk sampah', 'could not take']) expect(dead.lastError).not.toContain(leak);
    const [row] = await db<{ last_error: string }>(`SELECT d.last_error FROM message_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.record_id = $1 AND d.channel = 'sms'`, [c.id]);
    expect(row.last_error).toBe(dead.lastError);
  });

  it('stops a queued SMS when the person opts out before it goes', async () => {
    await setPrefs('budi', { email: false, sms: true });
    await smsQuiet();
    // The provider is away: the SMS waits for its retry, until the person changes their mind.
    await sms.stop();
    let trackingNumber = '';
    try {
      const c = await fileComplaint('budi', 'public', 'Tumpukan sampah di halte');
      trackingNumber = c.trackingNumber;
      await waitFor('a failed attempt', async () => {
        const m = (await messagesAbout(c.id)).find((x) => x.recipientRole === 'reporter');
        return m && m.channels[0]?.status === 'pending' && m.channels[0].lastError ? m : undefined;
      }, TIMEOUT_MS);
      await setPrefs('budi', { email: false, sms: false });
      // At once, not when the retry comes round.
      const [m] = (await messagesAbout(c.id)).filter((x) => x.recipientRole === 'reporter');
      expect(m.channels[0]).toMatchObject({ channel: 'sms', status: 'skipped', lastError: 'the person turned this channel off' });
    } finally {
      await sms.start();
    }
    // Nothing is due any more: the provider, back, is never asked to send it.
    await smsQuiet();
    expect(sms.messages.filter((x) => x.text.includes(trackingNumber))).toEqual([]);
  });

  it('refuses templates that are programs, empty or unknown, with a 400 naming the field, and renders triple braces as plain text', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ subject: '{{#title}}x{{/title}}', body: 'b', short: 's' }, 'subject'],
      [{ subject: 's', body: '{{^title}}kosong{{/title}}', short: 's' }, 'body'],
      [{ subject: 's', body: '{{> header}}', short: 's' }, 'body'],
      [{ subject: 's', body: '{{=<% %>=}}<% title %>', short: 's' }, 'body'],
      [{ subject: 's', body: 'b', short: '{{! komentar }}' }, 'short'],
      [{ subject: 's', body: '{{title', short: 's' }, 'body'],
      [{ subject: 's', body: '{{title.length}}', short: 's' }, 'body'],
      [{ subject: 's', body: '{{constructor}}', short: 's' }, 'body'],
      [{ subject: 's', body: '{{__proto__}}', short: 's' }, 'body'],
      [{ subject: 's', body: '{{.}}', short: 's' }, 'body'],
      [{ subject: 's', body: '{{}}', short: 's' }, 'body'],
      [{ subject: 's', body: '{{{nik}}}', short: 's' }, 'body'],
      [{ subject: '', body: 'b', short: 's' }, 'subject'],
      [{ subject: 's', body: '   ', short: 's' }, 'body'],
      [{ subject: 's', body: 'b', short: '{{title}}' }, 'short'],
      [{ subject: 'x'.repeat(201), body: 'b', short: 's' }, 'subject'],
      [{ subject: 's', body: 'x'.repeat(4001), short: 's' }, 'body'],
      [{ subject: 's', body: 'b', short: 'x'.repeat(481) }, 'short'],
      [{ subject: 7, body: 'b', short: 's' }, 'subject'],
      [{ subject: 's', body: ['b'], short: 's' }, 'body'],
      [{ subject: 's', body: 'b' }, 'short'],
      [{ subject: 's', body: 'b', short: 's', audience: 'staff' }, 'audience'],
    ];
    const received = await currentTemplate('complaint.received', 'id');
    try {
      await refusedTemplates(bad);
    } finally {
      await api.put('/api/v1/notification-templates/complaint.received/id').set('Authorization', bearer.admin).send(received).expect(200);
    }
    await refusedTemplatePaths();
    await tripleBraces();
  });

  const refusedTemplates = async (bad: Array<[Record<string, unknown>, string]>) => {
    for (const [body, field] of bad) {
      // `short` of complaint.confidential_update may not carry the title (it has no such variable): the last `{{title}}` case.
      const type = field === 'short' && body.short === '{{title}}' ? 'complaint.confidential_update' : 'complaint.received';
      const res = await api.put(`/api/v1/notification-templates/${type}/id`).set('Authorization', bearer.admin).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  };

  const refusedTemplatePaths = async () => {
    for (const [type, language] of [['../../etc', 'id'], ['COMPLAINT.RECEIVED', 'id'], ['complaint.received', 'ID'], ['complaint.received', 'id%00'], ['x'.repeat(61), 'id'], ['staff.digest.', 'en']]) {
      const res = await api.put(`/api/v1/notification-templates/${encodeURIComponent(type)}/${language}`).set('Authorization', bearer.admin).send({ subject: 's', body: 'b', short: 's' });
      expect([400, 404]).toContain(res.status);
    }
    await api.put('/api/v1/notification-templates/complaint.received/id').set('Authorization', bearer.admin).set('Content-Type', 'text/plain').send('subject=x').expect(415);
  };

  const tripleBraces = async () => {
    // Triple braces are allowed (a blank like any other) and fill in plain text, as {{x}} does.
    const original = await currentTemplate('complaint.received', 'en');
    const saved = { subject: 'Masuk {{{trackingNumber}}}', body: 'Judul: {{{title}}} / {{&title}}', short: '{{trackingNumber}}' };
    await api.put('/api/v1/notification-templates/complaint.received/en').set('Authorization', bearer.admin).send(saved).expect(200);
    await setPrefs('erna', { email: false }, { language: 'en' });
    const c = await fileComplaint('erna', 'public', 'A & B <script>"x"</script>');
    const got = await waitFor('the triple-brace message', async () => (await inbox('erna')).items.find((n: { title: string }) => n.title === `Masuk ${c.trackingNumber}`), TIMEOUT_MS);
    expect(got.body).toBe('Judul: A & B <script>"x"</script> / A & B <script>"x"</script>');
    await api.put('/api/v1/notification-templates/complaint.received/en').set('Authorization', bearer.admin).send(original).expect(200);
  };

  it('answers every hostile request on the new routes with a clear 4xx', async () => {
    const cases: Array<[string, string, string, unknown?]> = [
      ['sari', 'get', '/api/v1/me/notifications?unread=maybe'],
      ['sari', 'get', '/api/v1/me/notifications?unread=1'],
      ['sari', 'get', '/api/v1/me/notifications?unread=true&unread=false'],
      ['sari', 'get', '/api/v1/me/notifications?page=0'],
      ['sari', 'get', '/api/v1/me/notifications?page=10001'],
      ['sari', 'get', '/api/v1/me/notifications?page=1e308'],
      ['sari', 'get', '/api/v1/me/notifications?pageSize=101'],
      ['sari', 'get', '/api/v1/me/notifications?pageSize=-1'],
      ['sari', 'get', '/api/v1/me/notifications?pageSize=abc'],
      ['sari', 'get', '/api/v1/me/notifications?sort=id;DROP'],
      ['sari', 'post', '/api/v1/me/notifications/not-a-uuid/read'],
      ['sari', 'post', "/api/v1/me/notifications/1' OR '1'='1/read"],
      ['sari', 'put', '/api/v1/me/notification-preferences', {}],
      ['sari', 'put', '/api/v1/me/notification-preferences', []],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: 'all', language: 'id' }],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: { email: 'yes', sms: false, whatsapp: false, inApp: true }, language: 'id' }],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: { email: true, sms: false, whatsapp: false }, language: 'id' }],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: { email: true, sms: false, whatsapp: false, inApp: true, pigeon: true }, language: 'id' }],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'id', userId: ids.budi }],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: null }],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: null, language: 'id' }],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'id', staff: { instant: 'x' } }],
      ['sari', 'put', '/api/v1/me/notification-preferences', { channels: { email: true, sms: false, whatsapp: false, inApp: true }, language: 'id', staff: null }],
      ['sari', 'put', '/api/v1/me/notification-preferences', '{"channels":{"email":true,"sms":false,"whatsapp":false,"inApp":true,"__proto__":{"x":1}},"language":"id","constructor":{"prototype":{}}}'],
      ['admin', 'get', '/api/v1/notification-messages?recordId=nope'],
      ['admin', 'get', '/api/v1/notification-messages?recordId[]=a&recordId[]=b'],
      ['admin', 'get', `/api/v1/notification-messages?recordId=${ids.sari}&recordId=${ids.budi}`],
      ['admin', 'get', '/api/v1/notification-messages?status=bogus'],
      ['admin', 'get', '/api/v1/notification-messages?status[$ne]=x'],
      ['admin', 'get', '/api/v1/notification-messages?pageSize=100000'],
      ['admin', 'get', '/api/v1/notification-messages?page=99999999999999999999'],
      ['admin', 'get', '/api/v1/notification-messages?agencyId=' + agencies.DLH],
    ];
    for (const [who, method, path, body] of cases) {
      const req = api[method as 'get'](path).set('Authorization', bearer[who]);
      const res = body === undefined ? await req : typeof body === 'string' ? await req.set('Content-Type', 'application/json').send(body) : await req.send(body as object);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    // A well-formed UUID that is nobody's message, and a body too large, are refused without a 500 too.
    await api.post('/api/v1/me/notifications/00000000-0000-4000-8000-000000000000/read').set('Authorization', bearer.sari).expect(404);
    const huge = await announceOversized(`${system.gatewayUrl}/api/v1/me/notification-preferences`, {
      method: 'PUT',
      contentType: 'application/json',
      authorization: bearer.sari,
      declaredBytes: 20_000_000,
      firstChunk: '{"channels":{"email":true,"sms":false,"whatsapp":false,"inApp":true},"language":"id","x":"',
    });
    expect(huge.status).toBe(413);
    // The service still answers.
    await inbox('sari');
  });

  it('erases a citizen’s messages, deliveries and choices, and stores nothing for them afterwards', async () => {
    await setPrefs('erna', { sms: true });
    const c = await fileComplaint('erna', 'public', 'Limbah rumah potong');
    await sms.waitFor((m) => m.text.includes(c.trackingNumber), TIMEOUT_MS);
    await api.delete('/api/v1/me').set('Authorization', bearer.erna).send({ password: people.passwords.erna }).expect(202);
    await waitFor('the erasure in notifications', async () => {
      const [{ n }] = await db<{ n: number }>(`SELECT count(*)::int AS n FROM erased_users WHERE user_id = $1`, [ids.erna]);
      return n === 1 ? true : undefined;
    }, TIMEOUT_MS);
    // A later step of the complaint reaches staff, never the erased reporter.
    await act(c.id, { action: 'verify' });
    await act(c.id, { action: 'dispose', agencyId: agencies.DLH });
    await waitFor('the message to the agency', async () => ((await messagesAbout(c.id, 'kadis')).some((m) => m.type === 'staff.complaint.new_work') ? true : undefined), TIMEOUT_MS);
    const left = await db(
      `SELECT 'notifications' AS t, id::text FROM notifications WHERE user_id = $1
       UNION ALL SELECT 'deliveries', id::text FROM message_deliveries WHERE user_id = $1
       UNION ALL SELECT 'preferences', user_id::text FROM notification_preferences WHERE user_id = $1`,
      [ids.erna],
    );
    expect(left).toEqual([]);
    const text = JSON.stringify(await db(`SELECT n.title, n.body, n.short, d.last_error FROM notifications n LEFT JOIN message_deliveries d ON d.notification_id = n.id`));
    const jobs = JSON.stringify(await db(`SELECT data, last_error FROM message_jobs`));
    for (const value of [...personal.erna, 'Warga erna']) {
      expect(text).not.toContain(value);
      expect(jobs).not.toContain(value);
    }
  });

  it('keeps email moving while the WhatsApp provider hangs', async () => {
    await setPrefs('sari', { email: false, whatsapp: true });
    whatsapp.hang(TIMEOUT_MS * 3);
    try {
      const before = whatsapp.messages.length;
      // Enough hanging WhatsApp messages to take every sending slot if slots were shared between channels.
      for (let i = 0; i < 8; i++) await fileComplaint('sari', 'public', `Sampah liar ${i}`);
      await waitFor('WhatsApp messages hanging at the provider', async () => (whatsapp.messages.length - before >= 4 ? true : undefined), TIMEOUT_MS);
      await setPrefs('wati', { email: true, sms: false });
      const c = await fileComplaint('wati', 'public', 'Kontainer sampah penuh');
      // Within a fraction of the provider's time limit: nothing waits for the hanging sends to time out.
      await smtp.waitFor((m) => m.to.includes('wati@example.id') && !!m.text?.includes(c.trackingNumber), TIMEOUT_MS / 2);
    } finally {
      whatsapp.hang(0);
      await whatsapp.stop();
      await whatsapp.start();
      await setPrefs('sari', { whatsapp: false });
    }
  }, TIMEOUT_MS * 4);
});
