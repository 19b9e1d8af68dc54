import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Private signing keys encrypted at rest. The rows stay readable by both versions during the
 * upgrade; identity seals the plain-text ones at start (KeysService.sealStoredKeys), since only it
 * holds SIGNING_KEY_ENCRYPTION_KEY.
 */
export class EncryptSigningKeys1767100000000 implements MigrationInterface {
  name = 'EncryptSigningKeys1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signing_keys ADD COLUMN private_key_sealed text`);
    await q.query(`ALTER TABLE signing_keys ALTER COLUMN private_jwk DROP NOT NULL`);
    await q.query(`ALTER TABLE signing_keys ADD CONSTRAINT ck_signing_keys_private CHECK (private_jwk IS NOT NULL OR private_key_sealed IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // SQL cannot decrypt: sealed keys are dropped. The older identity makes a new key at start;
    // access tokens signed by the dropped ones (15 minutes at most) fail and clients refresh.
    await q.query(`DELETE FROM signing_keys WHERE private_jwk IS NULL`);
    await q.query(`ALTER TABLE signing_keys DROP CONSTRAINT ck_signing_keys_private`);
    await q.query(`ALTER TABLE signing_keys ALTER COLUMN private_jwk SET NOT NULL`);
    await q.query(`ALTER TABLE signing_keys DROP COLUMN private_key_sealed`);
  }
}
