import { referenceAgencyId } from '@smart-regency/contracts';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The usual regency categories, each routed to the agency that normally handles it. */
const SEED: Array<[code: string, name: string, description: string, agency: string]> = [
  ['roads-bridges', 'Jalan dan jembatan', 'Jalan rusak, berlubang, jembatan putus atau drainase jalan tersumbat.', 'PUPR'],
  ['waste-environment', 'Sampah dan lingkungan hidup', 'Sampah tidak diangkut, pencemaran, pembakaran atau pembuangan limbah.', 'DLH'],
  ['civil-registration', 'Administrasi kependudukan', 'KTP-el, kartu keluarga, akta kelahiran dan dokumen kependudukan lain.', 'DISDUKCAPIL'],
  ['health', 'Kesehatan', 'Pelayanan puskesmas, rumah sakit daerah, BPJS dan tenaga kesehatan.', 'DINKES'],
  ['education', 'Pendidikan', 'Sekolah, guru, penerimaan peserta didik dan bantuan pendidikan.', 'DISDIK'],
  ['permits', 'Perizinan', 'Pelayanan perizinan dan nonperizinan di DPMPTSP.', 'DPMPTSP'],
  ['transport', 'Perhubungan', 'Angkutan umum, lampu lalu lintas, rambu dan parkir.', 'DISHUB'],
  ['public-order', 'Ketertiban umum', 'Gangguan ketertiban, pedagang kaki lima, bangunan liar.', 'SATPOLPP'],
  ['social-assistance', 'Bantuan sosial', 'Penyaluran bansos, data penerima dan pelayanan sosial.', 'DINSOS'],
  ['village-funds', 'Dana desa', 'Pengelolaan dan penggunaan dana desa serta pemerintahan desa.', 'DPMD'],
  ['other', 'Lainnya', 'Pengaduan yang tidak termasuk kategori lain; diteruskan oleh koordinator.', 'DISKOMINFO'],
];

export class CreateComplaintCategories1764300000000 implements MigrationInterface {
  name = 'CreateComplaintCategories1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE complaint_categories (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(40) NOT NULL,
        name varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        agency_id uuid NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_complaint_categories_code UNIQUE (code)
      )`);
    await q.query(`CREATE INDEX ix_complaint_categories_agency_id ON complaint_categories (agency_id)`);
    for (const [code, name, description, agency] of SEED) {
      await q.query(`INSERT INTO complaint_categories (code, name, description, agency_id) VALUES ($1, $2, $3, $4)`, [
        code,
        name,
        description,
        referenceAgencyId(agency),
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE complaint_categories`);
  }
}
