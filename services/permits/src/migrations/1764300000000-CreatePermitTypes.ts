import { referenceAgencyId } from '@smart-regency/contracts';
import { MigrationInterface, QueryRunner } from 'typeorm';

const DPMPTSP = referenceAgencyId('DPMPTSP');
const doc = (code: string, name: string, required = true) => ({ code, name, required });
const field = (code: string, label: string, type: string, required = true) => ({ code, label, type, required });
const KTP = doc('KTP', 'Kartu Tanda Penduduk pemohon');

/** A starting catalogue so a new install can take applications on day one; admins edit it later. */
const SEED = [
  {
    code: 'PBG',
    name: 'Persetujuan Bangunan Gedung',
    description: 'Persetujuan untuk membangun baru, mengubah, memperluas atau merawat bangunan gedung.',
    agency: 'PUPR',
    documents: [KTP, doc('SERTIFIKAT_TANAH', 'Bukti kepemilikan atau hak atas tanah'), doc('GAMBAR_TEKNIS', 'Gambar arsitektur dan struktur'), doc('NPWP', 'NPWP pemohon', false)],
    fields: [field('buildingFunction', 'Fungsi bangunan', 'text'), field('floorArea', 'Luas lantai (m²)', 'number'), field('floors', 'Jumlah lantai', 'number'), field('address', 'Alamat lokasi bangunan', 'textarea')],
    sla: 28, fee: 0, validity: 0,
  },
  {
    code: 'REKLAME',
    name: 'Izin Penyelenggaraan Reklame',
    description: 'Izin memasang reklame papan, baliho, spanduk atau billboard.',
    agency: 'PUPR',
    documents: [KTP, doc('DESAIN_REKLAME', 'Desain dan ukuran reklame'), doc('FOTO_LOKASI', 'Foto lokasi pemasangan')],
    fields: [field('billboardType', 'Jenis reklame', 'text'), field('widthMeters', 'Lebar (m)', 'number'), field('heightMeters', 'Tinggi (m)', 'number'), field('address', 'Lokasi pemasangan', 'textarea')],
    sla: 7, fee: 250000, validity: 12,
  },
  {
    code: 'SIP-NAKES',
    name: 'Surat Izin Praktik Tenaga Kesehatan',
    description: 'Izin praktik bagi dokter, bidan, perawat dan tenaga kesehatan lain.',
    agency: 'DINKES',
    documents: [KTP, doc('STR', 'Surat Tanda Registrasi yang masih berlaku'), doc('REKOMENDASI_ORGANISASI', 'Rekomendasi organisasi profesi'), doc('PAS_FOTO', 'Pas foto terbaru')],
    fields: [field('profession', 'Profesi', 'text'), field('strNumber', 'Nomor STR', 'text'), field('practiceAddress', 'Alamat tempat praktik', 'textarea')],
    sla: 10, fee: 0, validity: 60,
  },
  {
    code: 'KERAMAIAN',
    name: 'Izin Keramaian',
    description: 'Izin menyelenggarakan acara yang mengumpulkan orang banyak.',
    agency: 'SATPOLPP',
    documents: [KTP, doc('SURAT_PERMOHONAN', 'Surat permohonan penyelenggara'), doc('SUSUNAN_ACARA', 'Susunan acara')],
    fields: [field('eventName', 'Nama acara', 'text'), field('eventDate', 'Tanggal acara', 'date'), field('expectedAttendees', 'Perkiraan jumlah peserta', 'number'), field('venue', 'Tempat acara', 'textarea')],
    sla: 5, fee: 0, validity: 1,
  },
  {
    code: 'SKU',
    name: 'Surat Keterangan Usaha',
    description: 'Keterangan bahwa pemohon menjalankan usaha di wilayah kabupaten.',
    agency: 'DPMPTSP',
    documents: [KTP, doc('FOTO_USAHA', 'Foto tempat usaha'), doc('PENGANTAR_DESA', 'Surat pengantar kepala desa/lurah')],
    fields: [field('businessName', 'Nama usaha', 'text'), field('businessType', 'Jenis usaha', 'text'), field('businessAddress', 'Alamat usaha', 'textarea')],
    sla: 3, fee: 0, validity: 12,
  },
];

export class CreatePermitTypes1764300000000 implements MigrationInterface {
  name = 'CreatePermitTypes1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE permit_types (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(40) NOT NULL,
        name varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        agency_id uuid NOT NULL,
        issuing_agency_id uuid NOT NULL,
        required_documents jsonb NOT NULL DEFAULT '[]',
        form_fields jsonb NOT NULL DEFAULT '[]',
        sla_working_days int NOT NULL CHECK (sla_working_days > 0),
        fee bigint NOT NULL DEFAULT 0 CHECK (fee >= 0),
        validity_months int NOT NULL DEFAULT 0 CHECK (validity_months >= 0),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        CONSTRAINT uq_permit_types_code UNIQUE (code)
      )`);
    await q.query(`CREATE INDEX ix_permit_types_agency_id ON permit_types (agency_id)`);
    await q.query(`CREATE INDEX ix_permit_types_issuing_agency_id ON permit_types (issuing_agency_id)`);
    for (const t of SEED) {
      await q.query(
        `INSERT INTO permit_types (code, name, description, agency_id, issuing_agency_id, required_documents, form_fields, sla_working_days, fee, validity_months)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [t.code, t.name, t.description, referenceAgencyId(t.agency), DPMPTSP, JSON.stringify(t.documents), JSON.stringify(t.fields), t.sla, t.fee, t.validity],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE permit_types`);
  }
}
