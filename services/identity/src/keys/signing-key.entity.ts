import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Ed25519 keys that sign access tokens; the newest signs, the JWKS also lists the previous one. */
@Entity('signing_keys')
export class SigningKey {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 10 })
  alg: string;

  @Column({ type: 'jsonb' })
  publicJwk: Record<string, unknown>;

  /** Only in rows written before keys were encrypted; identity seals them at start and empties this. */
  @Column({ type: 'jsonb', nullable: true })
  privateJwk: Record<string, unknown> | null;

  /** The private JWK, sealed by SigningKeyCipher (AES-256-GCM under SIGNING_KEY_ENCRYPTION_KEY). */
  @Column({ type: 'text', nullable: true })
  privateKeySealed: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
