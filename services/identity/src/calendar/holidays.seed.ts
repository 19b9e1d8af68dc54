// Starting point for the per-year working-day calendar (PRODUCT.md "Working days"): national
// holidays (hari libur nasional) and collective leave (cuti bersama) as set each year by the joint
// decree of the Ministers of Religious Affairs, Manpower and PANRB (SKB 3 Menteri).
//
// Admins must check every year against that year's SKB and correct it with
// PUT /api/v1/calendar/:year. Islamic, Chinese, Balinese and Buddhist holidays move every year,
// and the government may move a holiday or add cuti bersama after the SKB is signed.
// - 2026: SKB No. 1497/2025, 2/2025, 5/2025 (signed 19 September 2025): 17 holidays, 8 cuti bersama.
// - 2027: no SKB was known when this table was written. The dates are estimates from the
//   Hijri, Chinese, Saka and Buddhist calendars, and no cuti bersama is listed: admins must add
//   them (and fix any moved holiday) once the 2027 SKB is published.

export interface HolidaySeed {
  /** Jakarta calendar date, YYYY-MM-DD. */
  date: string;
  /** Name as the SKB writes it. */
  name: string;
}

export const NATIONAL_HOLIDAYS: Record<number, Array<HolidaySeed>> = {
  2026: [
    { date: '2026-01-01', name: 'Tahun Baru 2026 Masehi' },
    { date: '2026-01-16', name: 'Isra Mikraj Nabi Muhammad S.A.W.' },
    { date: '2026-02-16', name: 'Cuti Bersama Tahun Baru Imlek 2577 Kongzili' },
    { date: '2026-02-17', name: 'Tahun Baru Imlek 2577 Kongzili' },
    { date: '2026-03-18', name: 'Cuti Bersama Hari Suci Nyepi (Tahun Baru Saka 1948)' },
    { date: '2026-03-19', name: 'Hari Suci Nyepi (Tahun Baru Saka 1948)' },
    { date: '2026-03-20', name: 'Cuti Bersama Idul Fitri 1447 Hijriah' },
    { date: '2026-03-21', name: 'Hari Raya Idul Fitri 1447 Hijriah' },
    { date: '2026-03-22', name: 'Hari Raya Idul Fitri 1447 Hijriah' },
    { date: '2026-03-23', name: 'Cuti Bersama Idul Fitri 1447 Hijriah' },
    { date: '2026-03-24', name: 'Cuti Bersama Idul Fitri 1447 Hijriah' },
    { date: '2026-04-03', name: 'Wafat Yesus Kristus' },
    { date: '2026-04-05', name: 'Kebangkitan Yesus Kristus (Paskah)' },
    { date: '2026-05-01', name: 'Hari Buruh Internasional' },
    { date: '2026-05-14', name: 'Kenaikan Yesus Kristus' },
    { date: '2026-05-15', name: 'Cuti Bersama Kenaikan Yesus Kristus' },
    { date: '2026-05-27', name: 'Hari Raya Idul Adha 1447 Hijriah' },
    { date: '2026-05-28', name: 'Cuti Bersama Idul Adha 1447 Hijriah' },
    { date: '2026-05-31', name: 'Hari Raya Waisak 2570 BE' },
    { date: '2026-06-01', name: 'Hari Lahir Pancasila' },
    { date: '2026-06-16', name: '1 Muharam Tahun Baru Islam 1448 Hijriah' },
    { date: '2026-08-17', name: 'Proklamasi Kemerdekaan' },
    { date: '2026-08-25', name: 'Maulid Nabi Muhammad S.A.W.' },
    { date: '2026-12-24', name: 'Cuti Bersama Kelahiran Yesus Kristus' },
    { date: '2026-12-25', name: 'Kelahiran Yesus Kristus' },
  ],
  // Estimates; see the note at the top. Least certain: Isra Mikraj (5 or 6 January), Nyepi
  // (8 or 9 March), 1 Muharam (6 or 7 June), Maulid (15 or 16 August).
  2027: [
    { date: '2027-01-01', name: 'Tahun Baru 2027 Masehi' },
    { date: '2027-01-05', name: 'Isra Mikraj Nabi Muhammad S.A.W.' },
    { date: '2027-02-06', name: 'Tahun Baru Imlek 2578 Kongzili' },
    { date: '2027-03-08', name: 'Hari Suci Nyepi (Tahun Baru Saka 1949)' },
    { date: '2027-03-10', name: 'Hari Raya Idul Fitri 1448 Hijriah' },
    { date: '2027-03-11', name: 'Hari Raya Idul Fitri 1448 Hijriah' },
    { date: '2027-03-26', name: 'Wafat Yesus Kristus' },
    { date: '2027-03-28', name: 'Kebangkitan Yesus Kristus (Paskah)' },
    { date: '2027-05-01', name: 'Hari Buruh Internasional' },
    { date: '2027-05-06', name: 'Kenaikan Yesus Kristus' },
    { date: '2027-05-17', name: 'Hari Raya Idul Adha 1448 Hijriah' },
    { date: '2027-05-20', name: 'Hari Raya Waisak 2571 BE' },
    { date: '2027-06-01', name: 'Hari Lahir Pancasila' },
    { date: '2027-06-06', name: '1 Muharam Tahun Baru Islam 1449 Hijriah' },
    { date: '2027-08-15', name: 'Maulid Nabi Muhammad S.A.W.' },
    { date: '2027-08-17', name: 'Proklamasi Kemerdekaan' },
    { date: '2027-12-25', name: 'Kelahiran Yesus Kristus' },
  ],
};

/** The seed of a year (a fresh copy, safe to change), or [] for a year the table does not know. */
export function holidaysOf(year: number): HolidaySeed[] {
  return (NATIONAL_HOLIDAYS[year] ?? []).map((holiday) => ({ ...holiday }));
}
