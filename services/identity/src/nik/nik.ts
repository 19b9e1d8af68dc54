import { PROVINCES, Region } from './regions';

export type NikProblem = 'format' | 'province' | 'regency' | 'district' | 'birth_date' | 'sequence';

export type NikCheck =
  | { valid: true; birthDate: Date; female: boolean; region: string }
  | { valid: false; problem: NikProblem };

const NIK_PROBLEM_MESSAGES: Record<NikProblem, string> = {
  format: 'a NIK has exactly 16 digits',
  province: 'the province code is not a province',
  regency: 'the regency code is not a regency of that province',
  district: 'the district code is not a district of that regency',
  birth_date: 'the birth date part is not a real past date (women add 40 to the day)',
  sequence: 'the sequence number cannot be 0000',
};

export function nikProblemMessage(problem: NikProblem): string {
  return NIK_PROBLEM_MESSAGES[problem];
}

function known(children: Record<string, Region> | undefined, code: string): Region | null | undefined {
  // undefined: the table does not go this deep here, so any code passes.
  if (!children) return undefined;
  return children[code] ?? null;
}

/**
 * Checks a NIK laid out as PPKKCC DDMMYY SSSS (PRODUCT.md): known region, a real birth date with
 * 40 added to the day for women, and a sequence from 0001. `today` decides the century and that
 * the date is not in the future.
 */
export function checkNik(nik: string, today = new Date()): NikCheck {
  if (!/^\d{16}$/.test(nik)) return { valid: false, problem: 'format' };
  const [pp, kk, cc, dd, mm, yy, ssss] = [nik.slice(0, 2), nik.slice(2, 4), nik.slice(4, 6), nik.slice(6, 8), nik.slice(8, 10), nik.slice(10, 12), nik.slice(12)];

  const province = PROVINCES[pp];
  if (!province) return { valid: false, problem: 'province' };
  if (kk === '00') return { valid: false, problem: 'regency' };
  const regency = known(province.children, kk);
  if (regency === null) return { valid: false, problem: 'regency' };
  if (cc === '00') return { valid: false, problem: 'district' };
  if (regency && known(regency.children, cc) === null) return { valid: false, problem: 'district' };

  let day = Number(dd);
  const female = day > 40;
  if (female) day -= 40;
  const month = Number(mm);
  const currentYY = today.getUTCFullYear() % 100;
  const century = Number(yy) > currentYY ? 1900 : 2000;
  const year = century + Number(yy);
  const birthDate = new Date(Date.UTC(year, month - 1, day));
  const real =
    day >= 1 && month >= 1 && month <= 12 && birthDate.getUTCFullYear() === year && birthDate.getUTCMonth() === month - 1 && birthDate.getUTCDate() === day;
  if (!real || birthDate.getTime() > today.getTime()) return { valid: false, problem: 'birth_date' };

  if (ssss === '0000') return { valid: false, problem: 'sequence' };
  return { valid: true, birthDate, female, region: `${pp}.${kk}.${cc}` };
}

/** What a NIK looks like wherever it is shown: region's first four digits and the last two. */
export function maskNik(nik: string): string {
  return `${nik.slice(0, 4)}${'*'.repeat(10)}${nik.slice(14)}`;
}
