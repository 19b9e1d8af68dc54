/** +62 form of an Indonesian number given as +62…, 62… or 08…, or null if it is not one. */
export function normalizePhone(input: string): string | null {
  const digits = input.replace(/[\s-]/g, '');
  let national: string;
  if (digits.startsWith('+62')) national = digits.slice(3);
  else if (digits.startsWith('62')) national = digits.slice(2);
  else if (digits.startsWith('0')) national = digits.slice(1);
  else return null;
  // Mobile numbers start with 8; landlines with an area code 2–9. 8 to 12 digits after +62.
  if (!/^[2-9]\d{7,11}$/.test(national)) return null;
  return `+62${national}`;
}

export function normalizeEmail(input: string): string {
  return input.trim().toLowerCase();
}

/**
 * A minimum strength rule: 10+ characters, letters plus digits or symbols, and none of the
 * user's own identifiers inside. Returns what is wrong, or null.
 */
export function passwordProblem(password: string, identifiers: string[]): string | null {
  if (password.length < 10) return 'at least 10 characters';
  if (!/[A-Za-z]/.test(password) || !/[^A-Za-z]/.test(password)) return 'mix letters with digits or symbols';
  if (/^(.)\1+$/.test(password)) return 'not one character repeated';
  const lower = password.toLowerCase();
  for (const id of identifiers) {
    const token = id.toLowerCase();
    if (token.length >= 4 && lower.includes(token)) return 'must not contain your NIK, email or phone';
  }
  return null;
}
