import { maskName } from './applications.service';

describe('maskName', () => {
  it('keeps only initials', () => {
    expect(maskName('Siti Aminah')).toBe('S*** A*****');
    expect(maskName('  Budi   Santoso Lubis ')).toBe('B*** S****** L****');
    expect(maskName('Al')).toBe('A**');
    expect(maskName('')).toBe('');
  });
});
