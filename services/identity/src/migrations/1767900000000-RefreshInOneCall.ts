import { MigrationInterface, QueryRunner } from 'typeorm';

/** The two-key advisory lock class of a session (`lockSession`, auth.service.ts): 'sess'. */
const SESSION_LOCK_CLASS = 0x73657373;

/**
 * `identity_refresh(token_hash, next_hash, next_expires_at)` and `identity_logout(token_hash, at)`: a
 * refresh token's rotation, and the end of its session, as one call each
 * (one statement, one round trip) instead of eight statements over a held connection. The same
 * steps as before, each statement with its own snapshot as in a READ COMMITTED transaction: lock
 * the session, then the user (FOR SHARE), then the token (FOR UPDATE), the order logout and the
 * user's own changes lock in; a used token ends its session (reuse: theft); an unused, live token
 * of an active user is marked used and its successor stored. Returns no row when the token is
 * unknown, revoked, expired or its user inactive; `reused` with the time the session ended; or
 * `issued` with what the access token needs.
 */
export class RefreshInOneCall1767900000000 implements MigrationInterface {
  name = 'RefreshInOneCall1767900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION identity_refresh(p_token_hash varchar, p_next_hash varchar, p_next_expires_at timestamptz)
        RETURNS TABLE (outcome text, user_id uuid, family_id uuid, roles text[], agency_id uuid, ended_at timestamptz)
        LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        t refresh_tokens%ROWTYPE;
        u users%ROWTYPE;
        ended timestamptz;
      BEGIN
        SELECT * INTO t FROM refresh_tokens r WHERE r.token_hash = p_token_hash;
        IF NOT FOUND THEN RETURN; END IF;
        PERFORM pg_advisory_xact_lock(${SESSION_LOCK_CLASS}, hashtext(t.family_id::text));
        SELECT * INTO u FROM users x WHERE x.id = t.user_id FOR SHARE;
        SELECT * INTO t FROM refresh_tokens r WHERE r.id = t.id FOR UPDATE;
        IF NOT FOUND OR t.revoked_at IS NOT NULL OR t.expires_at <= clock_timestamp() THEN RETURN; END IF;
        IF t.used_at IS NOT NULL THEN
          -- Someone replayed a token that was already exchanged: end every token of that sign-in.
          ended := clock_timestamp();
          UPDATE refresh_tokens r SET revoked_at = ended WHERE r.family_id = t.family_id AND r.revoked_at IS NULL;
          RETURN QUERY SELECT 'reused'::text, t.user_id, t.family_id, NULL::text[], NULL::uuid, ended;
          RETURN;
        END IF;
        IF u.id IS NULL OR NOT u.active THEN RETURN; END IF;
        UPDATE refresh_tokens r SET used_at = clock_timestamp() WHERE r.id = t.id;
        INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES (u.id, t.family_id, p_next_hash, p_next_expires_at);
        RETURN QUERY SELECT 'issued'::text, u.id, t.family_id, u.roles, u.agency_id, NULL::timestamptz;
      END $$`);
    // Logout likewise: the session, then the user (FOR SHARE), then every live token of the session.
    await q.query(`
      CREATE FUNCTION identity_logout(p_token_hash varchar, p_at timestamptz)
        RETURNS TABLE (user_id uuid, family_id uuid)
        LANGUAGE plpgsql VOLATILE AS $$
      DECLARE t refresh_tokens%ROWTYPE;
      BEGIN
        SELECT * INTO t FROM refresh_tokens r WHERE r.token_hash = p_token_hash;
        IF NOT FOUND THEN RETURN; END IF;
        PERFORM pg_advisory_xact_lock(${SESSION_LOCK_CLASS}, hashtext(t.family_id::text));
        PERFORM 1 FROM users x WHERE x.id = t.user_id FOR SHARE;
        UPDATE refresh_tokens r SET revoked_at = p_at WHERE r.family_id = t.family_id AND r.revoked_at IS NULL;
        RETURN QUERY SELECT t.user_id, t.family_id;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION identity_logout(varchar, timestamptz)`);
    await q.query(`DROP FUNCTION identity_refresh(varchar, varchar, timestamptz)`);
  }
}
