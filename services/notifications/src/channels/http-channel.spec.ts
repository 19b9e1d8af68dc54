import { FakeMessageProvider } from '@smart-regency/testing';
import { SendOutcome } from './channel';
import { HttpMessageChannel, HttpMessageChannelOptions, normalizeIndonesianPhone } from './http-channel';
import { parseRetryAfter } from '@smart-regency/platform';

const TOKEN = 'provider-token-0123456789';
const NUMBER = '0812-3456-7890';
const E164 = '+6281234567890';
const TEXT = 'Izin PBG Anda PRM-2026-000123 telah disetujui. Ambil di DPMPTSP Kabupaten Contoh.';

describe('HttpMessageChannel against a fake provider', () => {
  let provider: FakeMessageProvider;
  const channels: HttpMessageChannel[] = [];

  const channelFor = (options: Partial<HttpMessageChannelOptions> = {}) => {
    const channel = new HttpMessageChannel({ name: 'sms', url: provider.url, token: TOKEN, timeoutMs: 2000, ...options });
    channels.push(channel);
    return channel;
  };
  const message = (reference = 'notif-0001') => ({ to: NUMBER, text: TEXT, reference });

  beforeEach(async () => {
    provider = new FakeMessageProvider({ token: TOKEN });
    await provider.start();
  });

  afterEach(async () => {
    for (const channel of channels.splice(0)) await channel.close();
    await provider.stop();
  });

  it('posts the normalised number, text and reference with the reference as Idempotency-Key', async () => {
    const outcome = await channelFor({ name: 'whatsapp' }).send(message('notif-0001'));

    expect(outcome).toEqual({ ok: true, providerId: 'msg-000001' });
    expect(provider.messages).toEqual([{ channel: 'whatsapp', to: E164, text: TEXT, reference: 'notif-0001', idempotencyKey: 'notif-0001', id: 'msg-000001' }]);
  });

  it('takes the provider id from messageId too', async () => {
    provider.idField = 'messageId';
    await expect(channelFor().send(message())).resolves.toEqual({ ok: true, providerId: 'msg-000001' });
  });

  it('is refused for good with a token the provider does not know (401)', async () => {
    const outcome = await channelFor({ token: 'wrong-token' }).send(message());

    expect(outcome).toMatchObject({ ok: false, permanent: true, reason: expect.stringContaining('401') });
    expect(provider.requests.map((r) => r.status)).toEqual([401]);
    expect(provider.messages).toHaveLength(0);
  });

  it('reports a 503 as worth retrying, and the retry goes through', async () => {
    provider.failNext(1, 503);
    const channel = channelFor();

    const first = await channel.send(message());
    const second = await channel.send(message());

    expect(first).toEqual({ ok: false, permanent: false, reason: 'sms provider answered 503 (fake_503)' });
    expect(second).toEqual({ ok: true, providerId: 'msg-000001' });
    expect(provider.requests.map((r) => r.status)).toEqual([503, 202]);
  });

  it('passes the Retry-After the provider asked for on', async () => {
    provider.failNext(1, 429, 7);
    await expect(channelFor().send(message())).resolves.toMatchObject({ ok: false, permanent: false, retryAfterMs: 7000 });
  });

  it.each([
    [400, true],
    [403, true],
    [404, true],
    [422, true],
    [302, false],
    [408, false],
    [425, false],
    [429, false],
    [500, false],
    [502, false],
    [503, false],
    [504, false],
  ])('classifies %i as permanent: %s', async (status, permanent) => {
    provider.failNext(1, status);
    const outcome = await channelFor().send(message());
    expect(outcome).toMatchObject({ ok: false, permanent, reason: expect.stringContaining(String(status)) });
    expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  it('gives up on a provider that does not answer in time, and says so', async () => {
    provider.hang(10_000);
    const started = Date.now();

    const outcome = await channelFor({ timeoutMs: 200 }).send(message());

    expect(outcome).toEqual({ ok: false, permanent: false, reason: 'sms provider: no answer within 200 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads no more of a huge answer than it allows', async () => {
    const total = 64 * 1024 * 1024;
    provider.oversizeAnswers(total);

    const outcome = await channelFor({ maxResponseBytes: 1024 }).send(message());
    const [answer] = await provider.oversized.waitForCount(1);

    // Accepted (2xx) all the same; the cut-off body yields no id.
    expect(outcome).toEqual({ ok: true });
    expect(answer.completed).toBe(false);
    expect(answer.sent).toBeLessThan(total / 4);
  });

  it('reports a provider that is down as worth retrying, and reaches it again on the same port', async () => {
    const channel = channelFor();
    await provider.stop();

    const down = await channel.send(message());
    await provider.start();
    const up = await channel.send(message());

    expect(down).toEqual({ ok: false, permanent: false, reason: 'sms provider: request failed (ECONNREFUSED)' });
    expect(up).toEqual({ ok: true, providerId: 'msg-000001' });
  });

  it('refuses an address that is not an Indonesian mobile without calling the provider', async () => {
    const outcome = await channelFor().send({ ...message(), to: '021-5550123' });

    expect(outcome).toEqual({ ok: false, permanent: true, reason: 'sms: not an Indonesian mobile number' });
    expect(provider.requests).toHaveLength(0);
  });

  it('answers an outcome, not an exception, once closed', async () => {
    const channel = channelFor();
    await channel.close();
    await expect(channel.send(message())).resolves.toEqual({ ok: false, permanent: false, reason: 'sms: channel closed' });
  });

  it('never puts the number or the text in a reason, though the provider quotes them back', async () => {
    const outcomes: SendOutcome[] = [];
    for (const status of [400, 422, 503]) {
      provider.failNext(1, status);
      outcomes.push(await channelFor().send(message()));
    }
    outcomes.push(await channelFor({ token: 'wrong' }).send(message()));
    outcomes.push(await channelFor().send({ ...message(), to: '+65 8123 4567' }));
    provider.hang(10_000);
    outcomes.push(await channelFor({ timeoutMs: 300 }).send(message()));

    // The provider did quote them: without that the check below could not fail.
    expect(provider.requests).toHaveLength(5);
    for (const outcome of outcomes) {
      expect(outcome.ok).toBe(false);
      const reason = outcome.ok ? '' : outcome.reason;
      expect(reason).not.toMatch(/81234567890|8123 ?4567/);
      expect(reason).not.toContain('PRM-2026');
      expect(reason.length).toBeLessThan(80);
    }
  });
});

describe('normalizeIndonesianPhone', () => {
  it.each([
    ['0812-3456-7890', '+6281234567890'],
    ['081234567890', '+6281234567890'],
    ['+62 812 3456 7890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['+62 (0) 812-3456-7890', '+6281234567890'],
    ['0062 812 3456 7890', '+6281234567890'],
    [' 0857.1234.5678 ', '+6285712345678'],
    ['(0813) 1234 5678', '+6281312345678'],
    ['0811-234-567', '+62811234567'],
    ['0896 1234 5678 9', '+62896123456789'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeIndonesianPhone(raw)).toBe(expected);
  });

  it.each([
    ['021-5550123', 'a Jakarta landline'],
    ['+62 21 5550 123', 'a landline in international form'],
    ['+65 8123 4567', 'a Singapore number'],
    ['0801-2345-6789', '080 is no mobile range'],
    ['0812-345', 'too short'],
    ['0812-3456-7890-123', 'too long'],
    ['0812-34ab-7890', 'letters'],
    ['812-3456-7890', 'no trunk or country prefix'],
    ['++6281234567890', 'a doubled plus'],
    ['tel:+6281234567890', 'a URI'],
    ['', 'empty'],
  ])('%s is refused (%s)', (raw) => {
    expect(normalizeIndonesianPhone(raw)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-07T03:00:00Z');

  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Mon, 07 Dec 2026 03:00:30 GMT', 30_000],
    ['Mon, 07 Dec 2026 02:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
    [null, undefined],
  ])('%p → %p', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
