import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, DocumentResponse, PermitsDataExport, RegencyCloudEvent, UserErasedV1 } from '@smart-regency/contracts';
import { AuditTrail, EventsRuntime, groupBy, SYSTEM_ACTOR } from '@smart-regency/platform';
import { DataSource, EntityManager, In } from 'typeorm';
import { Application, ApplicationHistory } from '../applications/application.entity';
import { toApplicationResponse } from '../applications/applications.service';
import { DocumentsRepository } from '../applications/documents.repository';
import { applicationBlobPrefix, DocumentStorage } from '../documents/document-storage';
import { PermitType } from '../permit-types/permit-type.entity';

/** What replaces free text the citizen wrote, once erased. */
export const ERASED_TEXT = '[dihapus]';
/** The storage key of a document whose bytes were erased; its code, size and sha256 stay. */
export const ERASED_STORAGE_KEY = 'erased';
const FREE_TEXT_FIELDS = new Set(['text', 'textarea']);

/**
 * Citizens' data rights in permits. The export lists every application of the caller with its
 * history and documents. Erasure follows `identity.user.erased.v1`: the regency must keep its permit
 * records (numbers, types, statuses, dates, certificates), so they stay, tied to the erased
 * account's id (a pseudonym once identity has forgotten the person), while what names or describes
 * the person goes: free-text form fields, the address, the holder's name on certificates, notes the
 * citizen wrote in the history, and the bytes of every version of every uploaded document, deleted
 * (their code, size and sha256 remain as the record of what was submitted), and the stored signed
 * certificates, which print the name (the next download signs one without it). Issued certificates
 * and the decisions on them are public records (archives law) and stay. Idempotent: running it twice changes nothing
 * more, and the durable consumer catches up after an outage.
 */
@Injectable()
export class PrivacyService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runtime: EventsRuntime,
    private readonly audit: AuditTrail,
    private readonly documents: DocumentsRepository,
    private readonly storage: DocumentStorage,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.runtime.consume({
      name: 'permits-user-erased',
      filterSubject: 'identity.user.erased.v1',
      handler: (event: RegencyCloudEvent, m: EntityManager) => this.erase(m, (event.data as unknown as UserErasedV1).userId),
    });
  }

  async export(actor: Actor): Promise<PermitsDataExport> {
    const apps = await this.db.getRepository(Application).find({ where: { applicantId: actor.id }, order: { createdAt: 'ASC' } });
    // Three queries whatever the number of applications: their histories and documents in one go each.
    const ids = apps.map((a) => a.id);
    const [history, documents] = ids.length
      ? await Promise.all([
          this.db.getRepository(ApplicationHistory).find({ where: { applicationId: In(ids) }, order: { seq: 'ASC' } }),
          this.documents.listMany(this.db.manager, ids),
        ])
      : [[], new Map<string, DocumentResponse[]>()];
    const historyOf = groupBy(history, (h) => h.applicationId);
    const applications = apps.map((app) => ({
      ...toApplicationResponse(app, historyOf.get(app.id) ?? []),
      documents: documents.get(app.id) ?? [],
    }));
    return { applications };
  }

  /** Anonymises everything of one applicant, in the consumer's transaction. */
  async erase(m: EntityManager, userId: string): Promise<void> {
    const apps = await m.getRepository(Application).find({ where: { applicantId: userId }, lock: { mode: 'pessimistic_write' } });
    await this.audit.record(m, { action: 'user.erase', entityType: 'user', entityId: userId, subjectId: userId, actor: SYSTEM_ACTOR, changes: { records: apps.length } });
    const types = new Map<string, PermitType | null>();
    for (const app of apps) {
      if (!types.has(app.permitTypeCode)) types.set(app.permitTypeCode, await m.getRepository(PermitType).findOne({ where: { code: app.permitTypeCode } }));
      const fields = types.get(app.permitTypeCode)?.formFields ?? [];
      const kinds = new Map(fields.map((f) => [f.code, f.type] as const));
      const formData: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(app.formData ?? {})) {
        const kind = kinds.get(key);
        // Unknown keys and free text may name or describe the person; numbers, dates, choices and flags do not.
        if (kind && !FREE_TEXT_FIELDS.has(kind)) formData[key] = value;
        else if (kind) formData[key] = ERASED_TEXT;
      }
      const location = app.location ? { lat: app.location.lat, lng: app.location.lng } : null;
      await m.query(`UPDATE applications SET form_data = $2, location = $3, holder_name = NULL, applicant_erased_at = COALESCE(applicant_erased_at, now()) WHERE id = $1`, [
        app.id,
        formData,
        location,
      ]);
    }
    if (!apps.length) return;
    const ids = apps.map((a) => a.id);
    await m.query(`UPDATE application_history SET note = NULL WHERE application_id = ANY($1) AND actor_id = $2 AND note IS NOT NULL`, [ids, userId]);
    // Every version of every file, by the application's key prefix: not only what the rows point at
    // now (versions replaced before uploads deleted them, or by a replica of an older release).
    for (const id of ids) await this.storage.deleteUnder(m, applicationBlobPrefix(id));
    // The signed certificates print the holder's name and the form: a download makes an anonymous one.
    await m.query(`DELETE FROM application_certificates WHERE application_id = ANY($1)`, [ids]);
    await m.query(`UPDATE application_documents SET storage_key = $2 WHERE application_id = ANY($1) AND storage_key <> $2`, [ids, ERASED_STORAGE_KEY]);
    await m.query(`DELETE FROM idempotency_keys WHERE actor_id = $1`, [userId]);
    await m.query(`DELETE FROM daily_usage WHERE actor_id = $1`, [userId]);
  }
}
