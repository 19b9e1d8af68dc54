import { MigrationInterface, QueryRunner } from 'typeorm';

const PUBLIC = `visibility <> 'confidential'`;
const OPEN = `status IN ('received', 'verified', 'dispositioned', 'in_progress', 'reopened')`;

/**
 * The list indexes carry the other filter columns (INCLUDE), so a filter the index's key does not
 * cover is still checked on the index alone. Lists count up to 1,001 matches in the page's
 * statement; with `?categoryCode&status` (or Open311's `service_code` + `status`) that count visited
 * ~8,000 table rows per request through an index of one of the two (17.8 ms of PostgreSQL CPU per
 * request at a million rows, bench/README.md); now it is an index-only scan. Same keys, same order.
 */
const COVERING: Array<[string, string, string]> = [
  // [name, key and predicate, INCLUDE]
  ['ix_complaints_agency_queue', `(agency_id, due_at ASC NULLS LAST, id)`, `(status, category_code, created_at)`],
  ['ix_complaints_agency_status_queue', `(agency_id, status, due_at ASC NULLS LAST, id)`, `(category_code, created_at)`],
  ['ix_complaints_agency_overdue', `(agency_id, due_at, id)`, `(status, category_code, created_at)`],
  ['ix_complaints_public', `(created_at DESC, id DESC)`, `(status, category_code, district)`],
  ['ix_complaints_public_status', `(status, created_at DESC, id DESC)`, `(category_code, district)`],
  ['ix_complaints_public_category', `(category_code, created_at DESC, id DESC)`, `(status, district)`],
  ['ix_complaints_public_district', `(district, created_at DESC, id DESC)`, `(status, category_code)`],
];
const predicate = (name: string) => (name.startsWith('ix_complaints_public') ? ` WHERE ${PUBLIC}` : name === 'ix_complaints_agency_overdue' ? ` WHERE ${OPEN}` : '');

export class ComplaintListCovering1766200000000 implements MigrationInterface {
  name = 'ComplaintListCovering1766200000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, key, include] of COVERING) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE INDEX ${name} ON complaints ${key} INCLUDE ${include}${predicate(name)}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name, key] of COVERING) {
      await q.query(`DROP INDEX ${name}`);
      await q.query(`CREATE INDEX ${name} ON complaints ${key}${predicate(name)}`);
    }
  }
}
