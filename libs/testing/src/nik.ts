/** Test data: NIKs laid out as PRODUCT.md describes (PPKKCC DDMMYY SSSS; women's day + 40). */
export interface NikParts {
  region?: string;
  birthDate?: Date;
  female?: boolean;
  sequence?: number;
}

let counter = 0;

export function makeNik({ region = '122301', birthDate = new Date(Date.UTC(1990, 4, 17)), female = false, sequence }: NikParts = {}): string {
  const day = birthDate.getUTCDate() + (female ? 40 : 0);
  const month = birthDate.getUTCMonth() + 1;
  const year = birthDate.getUTCFullYear() % 100;
  const seq = sequence ?? (++counter % 9999) + 1;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${region}${two(day)}${two(month)}${two(year)}${String(seq).padStart(4, '0')}`;
}
