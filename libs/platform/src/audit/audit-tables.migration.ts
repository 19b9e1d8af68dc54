import { QueryRunner } from 'typeorm';
import { GENESIS_HASH } from './canonical';

/**
 * The audit trail of one service database: `audit_log` (append-only, one hash chain),
 * `audit_head` (one row: the chain's last seq and hash, locked to take the next seq) and
 * `audit_pending` (where a transaction puts its rows until it commits; always empty between
 * transactions). A deferred trigger chains the pending rows at commit, so the chain lock is held
 * from then to the end of the commit only, and seq order is commit order.
 * Each service has a migration of its own that calls this, so the tables come and go with it.
 *
 * The database refuses UPDATE, DELETE and TRUNCATE of `audit_log` (triggers, which bind the
 * table's owner too), and a row whose seq or prev_hash does not follow the head. A superuser can
 * still disable triggers: that is what the hash chain and exported heads are for (docs/audit.md).
 */
export async function createAuditTables(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE TABLE audit_log (
      seq bigint PRIMARY KEY,
      at timestamptz NOT NULL,
      actor_id varchar(100),
      actor_roles text[] NOT NULL,
      actor_agency_id varchar(100),
      action varchar(80) NOT NULL,
      entity_type varchar(40) NOT NULL,
      entity_id varchar(100) NOT NULL,
      subject_id varchar(100),
      changes jsonb NOT NULL,
      request_id varchar(200),
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL,
      CONSTRAINT ck_audit_log_seq CHECK (seq > 0)
    )`);
  await q.query(`CREATE INDEX ix_audit_log_entity ON audit_log (entity_id, seq)`);
  await q.query(`CREATE INDEX ix_audit_log_at ON audit_log (at)`);
  await q.query(`CREATE INDEX ix_audit_log_subject ON audit_log (subject_id, seq) WHERE subject_id IS NOT NULL`);
  await q.query(`CREATE INDEX ix_audit_log_actor ON audit_log (actor_id, seq) WHERE actor_id IS NOT NULL`);
  await q.query(`
    CREATE TABLE audit_head (
      id smallint PRIMARY KEY CONSTRAINT ck_audit_head_one CHECK (id = 1),
      seq bigint NOT NULL,
      hash char(64) NOT NULL,
      at timestamptz
    )`);
  await q.query(`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1)`, [GENESIS_HASH]);
  await q.query(`
    CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  // Rows join the chain only at its head, in order (seq = head + 1, prev_hash = head's hash), and
  // move the head with them, in the same statement.
  await q.query(appendFunction('CREATE'));
  await q.query(`
    CREATE FUNCTION audit_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.seq <> OLD.seq + 1 THEN
        RAISE EXCEPTION 'audit_head only moves forward by one' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$`);
  // Rows written by a transaction wait here (no WAL: they never outlive their transaction) …
  await q.query(`
    CREATE UNLOGGED TABLE audit_pending (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      actor_id varchar(100),
      actor_roles text[] NOT NULL,
      actor_agency_id varchar(100),
      action varchar(80) NOT NULL,
      entity_type varchar(40) NOT NULL,
      entity_id varchar(100) NOT NULL,
      subject_id varchar(100),
      changes jsonb NOT NULL,
      request_id varchar(200),
      canonical_before_seq text NOT NULL,
      canonical_after_seq text NOT NULL
    )`);
  // … and join the chain when it commits: next seq, previous hash, and the hash of exactly the
  // canonical text the service computed (split around the seq, which only now is known).
  await q.query(chainFunction('CREATE'));
  await q.query(`CREATE CONSTRAINT TRIGGER audit_pending_chain AFTER INSERT ON audit_pending DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain()`);
  await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_refuse()`);
  await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()`);
  await q.query(`CREATE TRIGGER audit_log_append BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_append()`);
  await q.query(`CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_advance()`);
  await q.query(`CREATE TRIGGER audit_head_keep BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_refuse()`);
  await q.query(`CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()`);
  // Nobody but the owner gets to change the trail; with a separate application role (docs/audit.md)
  // grant it only SELECT, INSERT on audit_log and SELECT, UPDATE on audit_head.
  await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC`);
  await q.query(`REVOKE DELETE, TRUNCATE ON audit_head FROM PUBLIC`);
}

/** The advisory lock (per database) that audited commits queue on before they take the head row. */
export const AUDIT_CHAIN_LOCK_KEY = 0x61756474;

/**
 * The chain's commit section, made cheaper (bench/README.md, audit.js):
 * - audited commits queue on an advisory lock before they touch `audit_head`. With the row lock
 *   alone, every waiting commit slept on the head's tuple, woke when its holder committed and
 *   re-read the updated row: under 20 concurrent writers that cost PostgreSQL about 0.3 ms of CPU
 *   per commit more than a plain queue. The row lock stays (a writer that skips the advisory lock
 *   is still serialised correctly); the advisory lock only orders the queue;
 * - one `UPDATE … RETURNING` moves the head and hands out seq, previous hash and hash (the head
 *   keeps `prev_hash` for that), where a `SELECT … FOR UPDATE` and the append trigger's second
 *   lock and UPDATE did it before. The append trigger now only checks that a row is the head.
 */
export async function queueAuditChain(q: QueryRunner): Promise<void> {
  await q.query(`ALTER TABLE audit_head ADD COLUMN prev_hash char(64)`);
  await q.query(`
    CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE s bigint; p char(64); h char(64);
    BEGIN
      PERFORM pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY});
      UPDATE audit_head SET seq = seq + 1, prev_hash = hash, at = NEW.at,
             hash = encode(sha256(convert_to(hash || NEW.canonical_before_seq || (seq + 1)::text || NEW.canonical_after_seq, 'UTF8')), 'hex')
       WHERE id = 1 RETURNING seq, prev_hash, hash INTO s, p, h;
      INSERT INTO audit_log (seq, at, actor_id, actor_roles, actor_agency_id, action, entity_type, entity_id, subject_id, changes, request_id, prev_hash, hash)
      VALUES (s, NEW.at, NEW.actor_id, NEW.actor_roles, NEW.actor_agency_id, NEW.action, NEW.entity_type, NEW.entity_id, NEW.subject_id, NEW.changes, NEW.request_id, p, h);
      DELETE FROM audit_pending WHERE id = NEW.id;
      RETURN NULL;
    END $$`);
  // A row joins audit_log only as the head the same transaction has just moved to.
  await q.query(`
    CREATE OR REPLACE FUNCTION audit_append() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE h audit_head%ROWTYPE;
    BEGIN
      SELECT * INTO h FROM audit_head WHERE id = 1;
      IF NEW.seq <> h.seq OR NEW.hash <> h.hash OR NEW.prev_hash IS DISTINCT FROM h.prev_hash THEN
        RAISE EXCEPTION 'audit_log row % does not follow the head (seq %): rows join only through audit_pending', NEW.seq, h.seq USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$`);
}

export async function unqueueAuditChain(q: QueryRunner): Promise<void> {
  await q.query(chainFunction('CREATE OR REPLACE'));
  await q.query(appendFunction('CREATE OR REPLACE'));
  await q.query(`ALTER TABLE audit_head DROP COLUMN prev_hash`);
}

/** The first chain function: lock the head row, append, and let the append trigger move the head. */
function chainFunction(create: 'CREATE' | 'CREATE OR REPLACE'): string {
  return `
    ${create} FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE h audit_head%ROWTYPE;
    BEGIN
      SELECT * INTO h FROM audit_head WHERE id = 1 FOR UPDATE;
      INSERT INTO audit_log (seq, at, actor_id, actor_roles, actor_agency_id, action, entity_type, entity_id, subject_id, changes, request_id, prev_hash, hash)
      VALUES (h.seq + 1, NEW.at, NEW.actor_id, NEW.actor_roles, NEW.actor_agency_id, NEW.action, NEW.entity_type, NEW.entity_id, NEW.subject_id, NEW.changes,
              NEW.request_id, h.hash, encode(sha256(convert_to(h.hash || NEW.canonical_before_seq || (h.seq + 1)::text || NEW.canonical_after_seq, 'UTF8')), 'hex'));
      DELETE FROM audit_pending WHERE id = NEW.id;
      RETURN NULL;
    END $$`;
}

/** The first append trigger: a row must follow the head, and moves it. */
function appendFunction(create: 'CREATE' | 'CREATE OR REPLACE'): string {
  return `
    ${create} FUNCTION audit_append() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE h audit_head%ROWTYPE;
    BEGIN
      SELECT * INTO h FROM audit_head WHERE id = 1 FOR UPDATE;
      IF NEW.seq <> h.seq + 1 OR NEW.prev_hash <> h.hash THEN
        RAISE EXCEPTION 'audit_log row % does not follow the head (seq %)', NEW.seq, h.seq USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash, at = NEW.at WHERE id = 1;
      RETURN NEW;
    END $$`;
}

export async function dropAuditTables(q: QueryRunner): Promise<void> {
  await q.query(`DROP TABLE audit_pending`);
  await q.query(`DROP TABLE audit_log`);
  await q.query(`DROP TABLE audit_head`);
  await q.query(`DROP FUNCTION audit_refuse(), audit_append(), audit_head_advance(), audit_chain()`);
}
