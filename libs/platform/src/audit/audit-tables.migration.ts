import { MigrationInterface, QueryRunner } from 'typeorm';
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
  await q.query(headAdvanceFunction('CREATE', 'NEW.seq <> OLD.seq + 1', 'audit_head only moves forward by one'));
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

/** The advisory lock (per database) held while rows join the chain: one chainer at a time. */
export const AUDIT_CHAIN_LOCK_KEY = 0x61756474;

/**
 * Chaining leaves the commit (bench/README.md, audit.js). A transaction now only inserts its rows
 * into `audit_pending` (logged: the rows wait there until chained, so they must survive a crash);
 * the service's `AuditChainer` moves them into the chain a moment later, in batches, with
 * `audit_chain_pending()`: under the chain's advisory lock it gives each row the next seq, hashes
 * exactly the canonical text the service computed, appends it to `audit_log`, deletes it from
 * `audit_pending` and moves `audit_head` once per batch. Before, a deferred trigger did this in
 * every audited commit, and every audited commit of a service queued on one lock held through its
 * WAL flush: the trail cost filing 13-15 % of its throughput (the goal is at most 10 %).
 * Seq order is chaining order: the order in which committed rows were found, not commit order.
 * `audit_pending` refuses UPDATE and TRUNCATE; only chaining deletes from it.
 */
export async function queueAuditChain(q: QueryRunner): Promise<void> {
  await q.query(`DROP TRIGGER audit_pending_chain ON audit_pending`);
  await q.query(`DROP FUNCTION audit_chain()`);
  await q.query(`ALTER TABLE audit_pending SET LOGGED`);
  await q.query(`CREATE TRIGGER audit_pending_no_update BEFORE UPDATE ON audit_pending FOR EACH ROW EXECUTE FUNCTION audit_refuse()`);
  await q.query(`CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()`);
  // A batch moves the head once, by as many rows as it chained.
  await q.query(headAdvanceFunction('CREATE OR REPLACE', 'NEW.seq <= OLD.seq', 'audit_head only moves forward'));
  // A row joins audit_log only right after its last row, linked to it.
  await q.query(`
    CREATE OR REPLACE FUNCTION audit_append() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE last_seq bigint; last_hash char(64);
    BEGIN
      SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
      IF NEW.seq <> coalesce(last_seq, 0) + 1 OR NEW.prev_hash <> coalesce(last_hash, '${GENESIS_HASH}') THEN
        RAISE EXCEPTION 'audit_log row % does not follow the head (seq %)', NEW.seq, coalesce(last_seq, 0) USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$`);
  await q.query(chainPendingFunction('CREATE', false));
}

/**
 * `audit_chain_pending(max_rows, wait)`: wait queues for the lock (readers that must see every
 * committed row); otherwise it gives way to a chainer that holds it. Returns how many rows it
 * chained (at most max_rows). `guarded`: it marks its own transaction while it deletes the rows it
 * chained, the only deletion `audit_pending_no_delete` lets through.
 */
function chainPendingFunction(create: 'CREATE' | 'CREATE OR REPLACE', guarded: boolean): string {
  const deleteChained = guarded
    ? `PERFORM set_config('regency.audit_chaining', 'on', true);
        DELETE FROM audit_pending WHERE id = ANY (ids);
        PERFORM set_config('regency.audit_chaining', 'off', true);`
    : `DELETE FROM audit_pending WHERE id = ANY (ids);`;
  return `
    ${create} FUNCTION audit_chain_pending(max_rows int, wait boolean) RETURNS int LANGUAGE plpgsql AS $$
    DECLARE r audit_pending%ROWTYPE; s bigint; h char(64); p char(64); n int := 0; ids bigint[] := '{}';
    BEGIN
      IF NOT wait AND NOT EXISTS (SELECT 1 FROM audit_pending) THEN RETURN 0; END IF;
      IF wait THEN PERFORM pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY});
      ELSIF NOT pg_try_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY}) THEN RETURN 0;
      END IF;
      SELECT seq, hash INTO s, h FROM audit_head WHERE id = 1 FOR UPDATE;
      FOR r IN SELECT * FROM audit_pending ORDER BY id LIMIT max_rows LOOP
        p := h;
        s := s + 1;
        h := encode(sha256(convert_to(p || r.canonical_before_seq || s::text || r.canonical_after_seq, 'UTF8')), 'hex');
        INSERT INTO audit_log (seq, at, actor_id, actor_roles, actor_agency_id, action, entity_type, entity_id, subject_id, changes, request_id, prev_hash, hash)
        VALUES (s, r.at, r.actor_id, r.actor_roles, r.actor_agency_id, r.action, r.entity_type, r.entity_id, r.subject_id, r.changes, r.request_id, p, h);
        ids := ids || r.id;
        n := n + 1;
      END LOOP;
      IF n > 0 THEN
        ${deleteChained}
        UPDATE audit_head SET seq = s, hash = h, at = now() WHERE id = 1;
      END IF;
      RETURN n;
    END $$`;
}

/**
 * A row waiting in `audit_pending` leaves it only by joining the chain: any other DELETE is
 * refused, as UPDATE and TRUNCATE already were, so a statement of the application's (or one
 * injected into it) cannot drop an audit row before it is chained. Like the other triggers it
 * binds the service's own role, not an owner who drops triggers (docs/audit.md).
 */
export async function guardAuditPending(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE FUNCTION audit_pending_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('regency.audit_chaining', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'audit_pending rows leave only by chaining: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN OLD;
    END $$`);
  await q.query(chainPendingFunction('CREATE OR REPLACE', true));
  await q.query(`CREATE TRIGGER audit_pending_no_delete BEFORE DELETE ON audit_pending FOR EACH ROW EXECUTE FUNCTION audit_pending_guard()`);
}

export async function unguardAuditPending(q: QueryRunner): Promise<void> {
  await q.query(`DROP TRIGGER audit_pending_no_delete ON audit_pending`);
  await q.query(chainPendingFunction('CREATE OR REPLACE', false));
  await q.query(`DROP FUNCTION audit_pending_guard()`);
}

/** Back to chaining at commit (the rows still pending are chained first). */
export async function unqueueAuditChain(q: QueryRunner): Promise<void> {
  await q.query(`SELECT audit_chain_pending(2147483647, true)`);
  await q.query(`DROP FUNCTION audit_chain_pending(int, boolean)`);
  await q.query(appendFunction('CREATE OR REPLACE'));
  await q.query(headAdvanceFunction('CREATE OR REPLACE', 'NEW.seq <> OLD.seq + 1', 'audit_head only moves forward by one'));
  await q.query(`DROP TRIGGER audit_pending_no_update ON audit_pending`);
  await q.query(`DROP TRIGGER audit_pending_no_truncate ON audit_pending`);
  await q.query(`ALTER TABLE audit_pending SET UNLOGGED`);
  await q.query(chainFunction('CREATE'));
  await q.query(`CREATE CONSTRAINT TRIGGER audit_pending_chain AFTER INSERT ON audit_pending DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_chain()`);
}

function headAdvanceFunction(create: 'CREATE' | 'CREATE OR REPLACE', refused: string, message: string): string {
  return `
    ${create} FUNCTION audit_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${refused} THEN
        RAISE EXCEPTION '${message}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$`;
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

/**
 * "Who looked at citizen X" also finds the list views that showed X's records: a list row names
 * them in `changes.subjects` (AuditTrail.recordList), and `list({ subjectId })` asks
 * `changes -> 'subjects' @> '["X"]'` of the rows on entity `list`. Partial: other rows have no subjects.
 */
export async function indexAuditListSubjects(q: QueryRunner): Promise<void> {
  await q.query(`CREATE INDEX ix_audit_log_list_subjects ON audit_log USING gin ((changes -> 'subjects') jsonb_path_ops) WHERE entity_id = 'list'`);
}

export async function unindexAuditListSubjects(q: QueryRunner): Promise<void> {
  await q.query(`DROP INDEX ix_audit_log_list_subjects`);
}

export async function dropAuditTables(q: QueryRunner): Promise<void> {
  await q.query(`DROP TABLE audit_pending`);
  await q.query(`DROP TABLE audit_log`);
  await q.query(`DROP TABLE audit_head`);
  await q.query(`DROP FUNCTION audit_refuse(), audit_append(), audit_head_advance(), audit_chain()`);
}

/** The append-only, hash-chained audit trail (docs/audit.md). */
export class CreateAuditLog1766000000000 implements MigrationInterface {
  name = 'CreateAuditLog1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await createAuditTables(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropAuditTables(q);
  }
}

/** Rows wait in audit_pending and join the chain in the background (`queueAuditChain`). */
export class QueueAuditChain1766100000000 implements MigrationInterface {
  name = 'QueueAuditChain1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await queueAuditChain(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await unqueueAuditChain(q);
  }
}

/** Finds the list views that showed a citizen's records by `changes.subjects` (`indexAuditListSubjects`). */
export class IndexAuditListSubjects1766300000000 implements MigrationInterface {
  name = 'IndexAuditListSubjects1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await indexAuditListSubjects(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await unindexAuditListSubjects(q);
  }
}

/** Only chaining deletes from audit_pending (`guardAuditPending`). */
export class GuardAuditPending1767300000000 implements MigrationInterface {
  name = 'GuardAuditPending1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await guardAuditPending(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await unguardAuditPending(q);
  }
}

/** Every audited service's audit migrations, for its schema's list (the same in each database). */
export const AUDIT_MIGRATIONS = [CreateAuditLog1766000000000, QueueAuditChain1766100000000, IndexAuditListSubjects1766300000000, GuardAuditPending1767300000000];
