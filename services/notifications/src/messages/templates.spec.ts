import { MESSAGE_TYPES, MessageType } from './message-types';
import { formatDate, formatRupiah, render, SHORT_MAX, statusLabel, templateProblems } from './templates';
import { digestEventId, lastDigestHour } from './digest-time';
import { messageVariables } from './variables';

describe('message templates', () => {
  it('ships every type in both languages using only its own variables', () => {
    for (const [type, spec] of Object.entries(MESSAGE_TYPES)) {
      for (const language of ['id', 'en'] as const) {
        expect({ type, language, problems: templateProblems(spec.defaults[language], spec.variables) }).toEqual({ type, language, problems: [] });
      }
    }
  });

  it('refuses unknown variables, sections, partials and unreadable text, naming the field', () => {
    const allowed = MESSAGE_TYPES['permit.issued'].variables;
    const ok = { subject: 'Izin {{certificateNumber}}', body: 'Halo {{name}}', short: '{{verificationUrl}}' };
    expect(templateProblems(ok, allowed)).toEqual([]);
    expect(templateProblems({ ...ok, body: 'Halo {{nik}}' }, allowed)).toEqual([{ field: 'body', message: expect.stringContaining('unknown variable "nik"') }]);
    expect(templateProblems({ ...ok, short: '{{#name}}x{{/name}}' }, allowed)[0]).toMatchObject({ field: 'short', message: expect.stringContaining('only {{variable}}') });
    expect(templateProblems({ ...ok, subject: '{{> other}}' }, allowed)[0]).toMatchObject({ field: 'subject' });
    expect(templateProblems({ ...ok, subject: 'Izin {{number' }, allowed)[0]).toMatchObject({ field: 'subject', message: expect.stringContaining('cannot be read') });
    expect(templateProblems({ ...ok, body: '{{=<% %>=}}' }, allowed)).not.toEqual([]);
    expect(templateProblems({ ...ok, subject: '', short: ' \n\t' }, allowed)).toEqual([
      { field: 'subject', message: 'must not be empty' },
      { field: 'short', message: 'must not be empty' },
    ]);
  });

  it('fills in plain text without escaping, drops blank lines of missing values, and keeps short texts short', () => {
    const out = render({ subject: 'A  {{x}}', body: 'a\n{{missing}}\n\n\nb & {{x}}', short: '{{long}}' }, { x: '<b>&"', long: 'y'.repeat(1000) });
    expect(out.subject).toBe('A <b>&"');
    expect(out.body).toBe('a\n\nb & <b>&"');
    expect(out.short).toHaveLength(SHORT_MAX);
    expect(out.short.endsWith('…')).toBe(true);
  });

  it('writes dates in WIB, rupiah and statuses in the reader language', () => {
    expect(formatDate('2026-12-07T17:30:00.000Z', 'id')).toMatch(/8 Desember 2026.*00[.:]30 WIB/);
    expect(formatDate('2026-12-07T17:30:00.000Z', 'en')).toMatch(/8 December 2026.*00:30 WIB/);
    expect(formatDate(undefined, 'id')).toBe('');
    expect(formatRupiah('150000', 'id')).toMatch(/^Rp\s?150\.000$/);
    expect(formatRupiah('abc', 'id')).toBe('');
    expect(statusLabel('awaiting_payment', 'id')).toBe('menunggu pembayaran');
    expect(statusLabel('awaiting_payment', 'en')).toBe('awaiting payment');
    expect(statusLabel('something_new', 'en')).toBe('something new');
  });

  it('turns a context into variables: the answer as response, a link into the front end', () => {
    const v = messageVariables(
      { variables: { trackingNumber: 'ADU-1', note: 'Jalan sudah diperbaiki', status: 'resolved', dueAt: '2026-12-07T17:30:00.000Z' }, link: '/complaints/x' },
      {},
      'en',
      'Siti',
      'https://app.labura.go.id',
    );
    expect(v).toMatchObject({ name: 'Siti', appUrl: 'https://app.labura.go.id/complaints/x', response: 'Jalan sudah diperbaiki', status: 'answered', trackingNumber: 'ADU-1' });
    expect(v.dueAt).toContain('WIB');
    expect(messageVariables({ variables: { comment: 'Kami cek besok', note: 'x' } }, {}, 'id', 'A', 'http://h').response).toBe('Kami cek besok');
    expect(messageVariables({ variables: {} }, { stage: 'follow_up', dueAt: '2026-12-07T17:30:00.000Z' }, 'id', 'A', 'http://h')).toMatchObject({ stage: 'tindak lanjut', dueAt: expect.stringContaining('WIB') });
  });

  it('a staff template has no variable that could name a reporter', () => {
    const personal = ['name', 'reporter', 'reporterName', 'email', 'phone', 'nik'];
    for (const [type, spec] of Object.entries(MESSAGE_TYPES) as Array<[MessageType, (typeof MESSAGE_TYPES)[MessageType]]>) {
      if (spec.audience !== 'staff') continue;
      // `name` is the staff member's own.
      expect({ type, extra: spec.variables.filter((v) => personal.includes(v) && v !== 'name') }).toEqual({ type, extra: [] });
    }
  });
});

describe('daily digest timing', () => {
  it('finds the last 07:00 WIB', () => {
    expect(lastDigestHour(new Date('2026-12-07T00:30:00Z'), 7).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(lastDigestHour(new Date('2026-12-06T23:59:00Z'), 7).toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(lastDigestHour(new Date('2026-12-07T18:00:00Z'), 0).toISOString()).toBe('2026-12-07T17:00:00.000Z');
  });

  it('names one digest per person and day', () => {
    const day = new Date('2026-12-07T00:00:00Z');
    const a = digestEventId('5b0c0c1e-1111-4111-8111-111111111111', day);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(digestEventId('5b0c0c1e-1111-4111-8111-111111111111', day)).toBe(a);
    expect(digestEventId('5b0c0c1e-1111-4111-8111-111111111111', new Date('2026-12-08T00:00:00Z'))).not.toBe(a);
  });
});
