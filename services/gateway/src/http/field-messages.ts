import { FieldError, Lang } from '@smart-regency/contracts';

/** Indonesian wording for class-validator's rules; English keeps class-validator's own message. */
const ID: Record<string, (field: string) => string> = {
  whitelistValidation: (f) => `${f} tidak dikenal`,
  isDefined: (f) => `${f} wajib diisi`,
  isNotEmpty: (f) => `${f} wajib diisi`,
  isString: (f) => `${f} harus berupa teks`,
  isInt: (f) => `${f} harus berupa bilangan bulat`,
  isNumber: (f) => `${f} harus berupa angka`,
  isBoolean: (f) => `${f} harus bernilai true atau false`,
  isUuid: (f) => `${f} harus berupa UUID`,
  isEmail: (f) => `${f} harus berupa alamat email`,
  isIn: (f) => `${f} bukan salah satu nilai yang diizinkan`,
  isEnum: (f) => `${f} bukan salah satu nilai yang diizinkan`,
  min: (f) => `${f} terlalu kecil`,
  max: (f) => `${f} terlalu besar`,
  minLength: (f) => `${f} terlalu pendek`,
  maxLength: (f) => `${f} terlalu panjang`,
  matches: (f) => `${f} tidak sesuai format`,
  isDateString: (f) => `${f} harus berupa tanggal ISO-8601`,
  isIso8601: (f) => `${f} harus berupa tanggal ISO-8601`,
  isLatitude: (f) => `${f} harus berupa lintang antara -90 dan 90`,
  isLongitude: (f) => `${f} harus berupa bujur antara -180 dan 180`,
  arrayMaxSize: (f) => `${f} berisi terlalu banyak elemen`,
  arrayMinSize: (f) => `${f} berisi terlalu sedikit elemen`,
  isArray: (f) => `${f} harus berupa daftar`,
  isObject: (f) => `${f} harus berupa objek`,
  nestedValidation: (f) => `${f} harus berupa objek yang valid`,
};

export function localizeFieldErrors(errors: FieldError[], lang: Lang): Array<{ field: string; message: string }> {
  return errors.map(({ field, message, rule }) => {
    const translate = lang === 'id' && rule ? ID[rule] : undefined;
    return { field, message: translate ? translate(field) : message };
  });
}
