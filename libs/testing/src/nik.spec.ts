import { makeNik } from './nik';

describe('makeNik', () => {
  it('lays out region, birth date and sequence; women get day + 40', () => {
    expect(makeNik({ region: '122301', birthDate: new Date(Date.UTC(1990, 4, 7)), sequence: 12 })).toBe('1223010705900012');
    expect(makeNik({ region: '122301', birthDate: new Date(Date.UTC(2001, 11, 31)), female: true, sequence: 1 })).toBe('1223017112010001');
  });

  it('gives different sequences by default', () => {
    expect(makeNik()).not.toBe(makeNik());
    expect(makeNik()).toMatch(/^\d{16}$/);
  });
});
