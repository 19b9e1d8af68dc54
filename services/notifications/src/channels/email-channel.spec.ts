import { createServer, Server, Socket } from 'net';
import { SmtpTestServer } from '@smart-regency/testing';
import { SendOutcome } from './channel';
import { EmailChannel, EmailChannelOptions, messageIdOf } from './email-channel';

const FROM = 'Kabupaten Contoh <noreply@contoh.go.id>';
const TO = 'warga.contoh@example.id';
const SUBJECT = 'Izin PBG disetujui — PRM-2026-000123';
const TEXT = 'Yth. Bapak/Ibu,\nIzin PBG Anda PRM-2026-000123 telah disetujui.\nSalam, DPMPTSP Kabupaten Contoh';

describe('EmailChannel against a real SMTP server', () => {
  let server: SmtpTestServer;
  const channels: EmailChannel[] = [];

  const channelFor = (options: Partial<EmailChannelOptions> = {}) => {
    const channel = new EmailChannel({ host: '127.0.0.1', port: server.boundPort, secure: false, requireTls: false, from: FROM, timeoutMs: 2000, ...options });
    channels.push(channel);
    return channel;
  };
  const message = (reference = 'notif-0001', to = TO) => ({ to, subject: SUBJECT, text: TEXT, reference });

  beforeEach(async () => {
    server = new SmtpTestServer();
    await server.start();
  });

  afterEach(async () => {
    for (const channel of channels.splice(0)) await channel.close();
    await server.stop();
  });

  it('delivers a plain-text mail with subject, sender, recipient and the reference in its headers', async () => {
    const outcome = await channelFor().send(message('notif-0001'));
    const mail = await server.waitFor((m) => m.headers['x-regency-reference'] === 'notif-0001');

    expect(outcome).toEqual({ ok: true, providerId: 'Q000001' });
    expect(mail).toMatchObject({ from: 'noreply@contoh.go.id', to: [TO], subject: SUBJECT, messageId: '<notif-0001@smart-regency>', queueId: 'Q000001' });
    expect(mail.text?.trimEnd()).toBe(TEXT);
    expect(mail.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('sends a retried message with the same Message-ID, so the duplicate shows', async () => {
    const channel = channelFor();
    await channel.send(message('notif-0002'));
    await channel.send(message('notif-0002'));

    const [first, second] = await server.waitForCount(2);
    expect(first.messageId).toBe('<notif-0002@smart-regency>');
    expect(second.messageId).toBe(first.messageId);
  });

  it('reports a 451 as worth retrying, and the retry is delivered', async () => {
    server.failNext(1, 451);
    const channel = channelFor();

    const first = await channel.send(message());
    const second = await channel.send(message());

    expect(first).toEqual({ ok: false, permanent: false, reason: 'smtp: 451 4.3.0 at DATA' });
    expect(server.refused).toBe(1);
    expect(second.ok).toBe(true);
    expect(server.mails).toHaveLength(1);
  });

  it("delivers to an address with an apostrophe, which RFC 5321 allows", async () => {
    await expect(channelFor().send(message('apostrophe', "o'neil@example.id"))).resolves.toMatchObject({ ok: true });
    expect(server.mails[0].to).toEqual(["o'neil@example.id"]);
  });

  it('reports a refused recipient (550) as permanent', async () => {
    server.rejectRecipient('hilang@example.id', 550);

    const outcome = await channelFor().send(message('notif-0003', 'hilang@example.id'));

    expect(outcome).toEqual({ ok: false, permanent: true, reason: 'smtp: 550 5.1.1 at RCPT TO' });
    expect(server.mails).toHaveLength(0);
  });

  it('reports a server that is down as worth retrying, and delivers once it is back on the same port', async () => {
    const channel = channelFor();
    await channel.send(message('before'));
    const port = server.boundPort;
    await server.stop();

    const down = await channel.send(message('while-down'));
    await server.start();
    const up = await channel.send(message('after'));

    expect(down).toEqual({ ok: false, permanent: false, reason: 'smtp: ESOCKET (ECONNREFUSED)' });
    expect(server.boundPort).toBe(port);
    expect(up.ok).toBe(true);
    expect(server.mails.map((m) => m.headers['x-regency-reference'])).toEqual(['before', 'after']);
  });

  it('reports refused credentials as an outcome worth retrying, and sends with the right ones', async () => {
    await server.stop();
    server = new SmtpTestServer({ user: 'relay', password: 'right-password' });
    await server.start();

    const wrong = await channelFor({ user: 'relay', password: 'wrong-password' }).send(message('wrong'));
    const right = await channelFor({ user: 'relay', password: 'right-password' }).send(message('right'));

    expect(wrong).toEqual({ ok: false, permanent: false, reason: 'smtp: authentication failed (535)' });
    expect(right.ok).toBe(true);
    expect(server.mails.map((m) => m.headers['x-regency-reference'])).toEqual(['right']);
  });

  it('gives up on a server that never greets', async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const outcome = await channelFor({ port: silent.port, timeoutMs: 300 }).send(message());

      expect(outcome).toMatchObject({ ok: false, permanent: false });
      expect(outcome.ok ? '' : outcome.reason).toMatch(/timeout|no answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await silent.close();
    }
  });

  it.each(['not an address', 'a@example.id, b@example.id', 'Warga <a@example.id>', 'a@example.id\r\nBcc: b@example.id'])('refuses %p for good: one bare address per message', async (to) => {
    await expect(channelFor().send(message('bad', to))).resolves.toEqual({ ok: false, permanent: true, reason: 'smtp: invalid address' });
    expect(server.mails).toHaveLength(0);
  });

  it('answers an outcome, not an exception, once closed', async () => {
    const channel = channelFor();
    await channel.close();
    await expect(channel.send(message())).resolves.toEqual({ ok: false, permanent: false, reason: 'smtp: channel closed' });
  });

  it('never puts the address or the text in a reason, though the server quotes the address', async () => {
    server.rejectRecipient(TO, 550);
    const outcomes: SendOutcome[] = [await channelFor().send(message())];
    server.rejectRecipient(TO, 450);
    outcomes.push(await channelFor().send(message()));

    expect(outcomes.map((o) => !o.ok && o.permanent)).toEqual([true, false]);
    for (const outcome of outcomes) {
      const reason = outcome.ok ? '' : outcome.reason;
      expect(reason).not.toContain('warga.contoh');
      expect(reason).not.toContain('PRM-2026');
    }
  });
});

describe('messageIdOf', () => {
  it('keeps a reference that is a valid id and hashes one that is not', () => {
    expect(messageIdOf('0b5c2f8e-7a3d-4a51-9c43-1f0e9a8d2b61')).toBe('<0b5c2f8e-7a3d-4a51-9c43-1f0e9a8d2b61@smart-regency>');
    expect(messageIdOf('a b@c')).toMatch(/^<[0-9a-f]{40}@smart-regency>$/);
    expect(messageIdOf('a b@c')).toBe(messageIdOf('a b@c'));
  });
});

/** A TCP server that accepts and never says a word: a hung SMTP server. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
