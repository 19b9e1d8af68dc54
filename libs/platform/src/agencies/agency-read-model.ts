import { OnModuleInit, Provider } from '@nestjs/common';
import { AgencyChangedV1, AgencyKind, MAX_PAGE_SIZE, RegencyCloudEvent, SUBJECTS } from '@smart-regency/contracts';
import { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { EventsRuntime } from '../events/events.module';
import { readModelProvider } from '../events/read-model-provider';
import { RpcClient } from '../nats/rpc-client';

/** How long a replica keeps an agency in memory before reading its table again (another replica may have taken the event). */
export const AGENCY_MEMORY_MS = 30_000;
/** Pages of identity's directory read at most by the bootstrap (a regency has tens of agencies). */
export const AGENCY_BOOTSTRAP_PAGES = 20;
/** First key of the advisory lock under which one replica fills the table ('agcy'). */
const BOOTSTRAP_LOCK = 0x61676379;

/** An agency as identity's public directory shows it. */
export interface DirectoryAgency {
  id: string;
  code: string;
  name: string;
  kind: AgencyKind;
}

/**
 * A service's own copy of identity's agency directory, kept from identity's
 * `identity.agency.changed.v1` events (a durable consumer per service), so the write path never
 * asks identity for an agency. A fresh install, whose copy was never filled, pages identity's
 * directory once and keeps it; every change after that comes as an event. An event older than the
 * stored entry (by identity's `at`) changes nothing; an entry from that one listing has no `at`,
 * so any event replaces it.
 */
export class AgencyReadModel implements OnModuleInit {
  private readonly memory = new Map<string, { agency: DirectoryAgency; at: number }>();
  // Bumped after each applied event's commit: a read that began before it may have the old entry.
  private generation = 0;
  private filled = false;
  private filling?: Promise<void>;

  /** The provider for a service's module: its durable consumer is `<service>-agencies`. */
  static for(service: string): Provider {
    return readModelProvider(AgencyReadModel, `${service}-agencies`);
  }

  constructor(
    private readonly db: DataSource,
    private readonly rpc: RpcClient,
    private readonly runtime: EventsRuntime,
    private readonly consumer: string,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.runtime.consume({
      name: this.consumer,
      filterSubject: 'identity.agency.changed.v1',
      handler: (event: RegencyCloudEvent, m: EntityManager) => this.apply(m, event.data as unknown as AgencyChangedV1),
      // Memory dropped again once the change is visible: a read between apply and commit may have kept the old entry.
      afterCommit: () => {
        this.generation++;
        this.memory.clear();
      },
    });
  }

  /** Keeps the agency as identity now holds it, unless the copy already has a later change. */
  async apply(m: EntityManager, { agencyId, code, name, kind, at }: AgencyChangedV1): Promise<void> {
    await m.query(
      `INSERT INTO agency_directory AS d (agency_id, code, name, kind, changed_at, received_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (agency_id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, kind = EXCLUDED.kind, changed_at = EXCLUDED.changed_at, received_at = now()
       WHERE d.changed_at IS NULL OR d.changed_at <= EXCLUDED.changed_at`,
      [agencyId, code, name, kind, at],
    );
    this.memory.delete(agencyId);
  }

  /** The agency from the copy; null when identity's directory does not have it. */
  async get(agencyId: string): Promise<DirectoryAgency | null> {
    const kept = this.memory.get(agencyId);
    if (kept && Date.now() - kept.at < AGENCY_MEMORY_MS) return kept.agency;
    // Taken before the read: a fill that ends meanwhile may have committed after the read.
    const filled = this.filled;
    const generation = this.generation;
    let agency = await this.read(agencyId);
    if (!agency && !filled) {
      await this.fill();
      agency = await this.read(agencyId);
    }
    if (agency && generation === this.generation) this.memory.set(agencyId, { agency, at: Date.now() });
    return agency;
  }

  /** The agency's name; null when identity's directory does not have it. */
  async name(agencyId: string): Promise<string | null> {
    return (await this.get(agencyId))?.name ?? null;
  }

  private async read(agencyId: string): Promise<DirectoryAgency | null> {
    const [row]: DirectoryAgency[] = await this.db.query(`SELECT agency_id AS id, code, name, kind FROM agency_directory WHERE agency_id = $1`, [agencyId]);
    return row ?? null;
  }

  /** Fills the copy from identity's directory, once per install: one caller per replica, one replica at a time. */
  private async fill(): Promise<void> {
    if (this.filled) return;
    this.filling ??= this.bootstrap().finally(() => (this.filling = undefined));
    await this.filling;
  }

  private async bootstrap(): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1, 0)`, [BOOTSTRAP_LOCK]);
      const [done] = await m.query(`SELECT 1 FROM agency_directory_bootstrap`);
      if (!done) {
        const agencies = await this.directory();
        // An entry an event wrote first stays: the events that follow it keep it current.
        await m.query(
          `INSERT INTO agency_directory (agency_id, code, name, kind)
           SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[]) ON CONFLICT (agency_id) DO NOTHING`,
          [agencies.map((a) => a.id), agencies.map((a) => a.code), agencies.map((a) => a.name), agencies.map((a) => a.kind)],
        );
        await m.query(`INSERT INTO agency_directory_bootstrap (agencies) VALUES ($1)`, [agencies.length]);
      }
    });
    this.filled = true;
  }

  /** Identity's whole directory, page by page, asked as this service (services never speak for a caller). */
  private async directory(): Promise<DirectoryAgency[]> {
    const agencies: DirectoryAgency[] = [];
    for (let page = 1; page <= AGENCY_BOOTSTRAP_PAGES; page++) {
      const { items, total } = await this.rpc.send(SUBJECTS.identity.listAgencies, { page, pageSize: MAX_PAGE_SIZE });
      agencies.push(...items.map(({ id, code, name, kind }) => ({ id, code, name, kind })));
      if (items.length < MAX_PAGE_SIZE || page * MAX_PAGE_SIZE >= total) return agencies;
    }
    throw new Error(`identity's agency directory has more than ${AGENCY_BOOTSTRAP_PAGES} pages of ${MAX_PAGE_SIZE}: not copied`);
  }
}

export class CreateAgencyDirectory1767700000000 implements MigrationInterface {
  name = 'CreateAgencyDirectory1767700000000';

  async up(q: QueryRunner): Promise<void> {
    // changed_at: identity's `at` of the last event applied; NULL for an entry from the bootstrap listing.
    await q.query(`
      CREATE TABLE agency_directory (
        agency_id uuid PRIMARY KEY,
        code varchar(32) NOT NULL,
        name varchar(200) NOT NULL,
        kind varchar(20) NOT NULL,
        changed_at timestamptz,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One row once the copy was filled from identity's directory: never again, even if it was empty.
    await q.query(`
      CREATE TABLE agency_directory_bootstrap (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        agencies int NOT NULL,
        filled_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agency_directory_bootstrap`);
    await q.query(`DROP TABLE agency_directory`);
  }
}

/** The tables of a service that keeps the agency directory (AgencyReadModel). */
export const AGENCY_MIGRATIONS = [CreateAgencyDirectory1767700000000];
