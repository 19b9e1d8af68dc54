import { normalizePhone, passwordProblem } from './contact';

describe('normalizePhone', () => {
  it.each([
    ['081234567890', '+6281234567890'],
    ['+62 812-3456-7890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['0624123456', '+62624123456'],
  ])('%s -> %s', (input, out) => expect(normalizePhone(input)).toBe(out));

  it.each(['12345', '+6512345678', '0812', '08123456789012345', '+620812345678'])('refuses %s', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });
});

describe('passwordProblem', () => {
  it('accepts a long mixed password', () => expect(passwordProblem('Rahasia-Labura-9', ['siti@example.id'])).toBeNull());
  it.each([
    ['short1!', 'at least 10 characters'],
    ['onlyletterslong', 'mix letters with digits or symbols'],
    ['1234567890123', 'mix letters with digits or symbols'],
    ['siti@example.id-x', 'must not contain your NIK, email or phone'],
  ])('refuses %s', (password, problem) => expect(passwordProblem(password, ['siti@example.id', '1223011705900001'])).toBe(problem));
});
