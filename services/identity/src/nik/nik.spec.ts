import { checkNik, maskNik } from './nik';

const today = new Date('2026-11-28T00:00:00Z');

describe('checkNik', () => {
  it('accepts a man born in Labuhanbatu Utara', () => {
    expect(checkNik('1223011705900001', today)).toEqual({
      valid: true,
      birthDate: new Date(Date.UTC(1990, 4, 17)),
      female: false,
      region: '12.23.01',
    });
  });

  it('reads a woman by the day + 40', () => {
    expect(checkNik('1223015705900002', today)).toMatchObject({ valid: true, female: true, birthDate: new Date(Date.UTC(1990, 4, 17)) });
    expect(checkNik('1223017112010001', today)).toMatchObject({ valid: true, female: true, birthDate: new Date(Date.UTC(2001, 11, 31)) });
  });

  it('accepts provinces whose regencies the table does not list', () => {
    expect(checkNik('3273012208850003', today)).toMatchObject({ valid: true, region: '32.73.01' });
  });

  it.each([
    ['123', 'format'],
    ['12230117059000a1', 'format'],
    ['9923011705900001', 'province'],
    ['2023011705900001', 'province'],
    ['1299011705900001', 'regency'],
    ['1200011705900001', 'regency'],
    ['1223091705900001', 'district'],
    ['1223001705900001', 'district'],
    ['1223013202900001', 'birth_date'], // 32 February
    ['1223012902010001', 'birth_date'], // 29 Feb 2001 is not a date
    ['1223017202010001', 'birth_date'], // woman, day 32
    ['1223013505900001', 'birth_date'], // day 35: neither a man's nor a woman's day
    ['1223010012900001', 'birth_date'], // day 00
    ['1223011713900001', 'birth_date'], // month 13
    ['1223011705900000', 'sequence'],
  ])('refuses %s (%s)', (nik, problem) => {
    expect(checkNik(nik, today)).toEqual({ valid: false, problem });
  });

  it('accepts 29 February in a leap year and refuses a birth date after today', () => {
    expect(checkNik('1223012902000001', today).valid).toBe(true);
    expect(checkNik('1223010112260001', today)).toEqual({ valid: false, problem: 'birth_date' }); // 1 Dec 2026
    expect(checkNik('1223012711260001', today).valid).toBe(true); // 27 Nov 2026
  });

  it('masks all but the first four and last two digits', () => {
    expect(maskNik('1223011705900001')).toBe('1223**********01');
  });
});
