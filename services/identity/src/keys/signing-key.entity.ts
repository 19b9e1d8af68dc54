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

  @Column({ type: 'jsonb' })
  privateJwk: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
