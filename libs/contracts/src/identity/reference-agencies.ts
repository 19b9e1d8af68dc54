import type { AgencyKind } from './agency';

/**
 * The agencies a new install starts with (Kabupaten Labuhanbatu Utara). Ids are fixed so that
 * other services can seed catalogues that point at them without asking identity at migration
 * time; admins add or rename agencies at run time, these are only the starting data.
 */
export const REFERENCE_AGENCIES: ReadonlyArray<{ id: string; code: string; name: string; kind: AgencyKind }> = [
  { id: '6856a0cc-7a5d-49f1-ab53-6b29b00ea76c', code: 'DPMPTSP', name: 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu', kind: 'dinas' },
  { id: 'f0d2d6bb-a56b-4e6a-8335-6e221ee6a787', code: 'DISKOMINFO', name: 'Dinas Komunikasi dan Informatika', kind: 'dinas' },
  { id: '32ce84d5-420e-43e1-9a29-621c0d7b3655', code: 'PUPR', name: 'Dinas Pekerjaan Umum dan Penataan Ruang', kind: 'dinas' },
  { id: 'c28bf8c4-5f2a-4fcc-93fa-a35d07213e76', code: 'DLH', name: 'Dinas Lingkungan Hidup', kind: 'dinas' },
  { id: 'd7ccbd61-3584-4032-8431-2fc952912be4', code: 'DISDUKCAPIL', name: 'Dinas Kependudukan dan Pencatatan Sipil', kind: 'dinas' },
  { id: '0928fc3d-9e9d-450b-8b6d-3602be903b69', code: 'DINKES', name: 'Dinas Kesehatan', kind: 'dinas' },
  { id: 'ac3e21cb-adc3-4497-b2c8-5293386ca1aa', code: 'DISDIK', name: 'Dinas Pendidikan', kind: 'dinas' },
  { id: '7fc0a32c-4577-48e0-88f5-4027ec15cf39', code: 'DISHUB', name: 'Dinas Perhubungan', kind: 'dinas' },
  { id: 'da7ad8f5-7981-43ae-9d16-b6df90b5c31c', code: 'SATPOLPP', name: 'Satuan Polisi Pamong Praja', kind: 'satuan' },
  { id: 'd1a27eed-2043-4aee-bc43-b06e4fb18dd3', code: 'DINSOS', name: 'Dinas Sosial', kind: 'dinas' },
  { id: '1ddc88b2-2b5b-4367-9053-9595c524f965', code: 'DPMD', name: 'Dinas Pemberdayaan Masyarakat dan Desa', kind: 'dinas' },
];

export function referenceAgencyId(code: string): string {
  const agency = REFERENCE_AGENCIES.find((a) => a.code === code);
  if (!agency) throw new Error(`unknown reference agency ${code}`);
  return agency.id;
}
