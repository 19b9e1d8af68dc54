import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { nanos, NatsConnection, ObjectStore, StorageType } from 'nats';
import { DomainError } from '../errors/domain-error';
import { NATS_CONNECTION, NATS_PREFIX } from './nats.module';

// The store is JetStream: when NATS is away the caller is told to retry (503), as for any service.
const unavailable = (error: unknown) =>
  new DomainError('COMMON.SERVICE_UNAVAILABLE', `file transfer unavailable: ${(error as Error)?.message ?? error}`, undefined, 5);

/** The object store that carries files and large replies (NATS permissions name it too). */
export function transferBucketName(prefix: string): string {
  return `${prefix || 'regency'}_transfer`;
}

/**
 * Carries files between the gateway and services. A NATS message is capped at 1 MB by default;
 * files (up to 10 MiB) travel through a JetStream object store instead, and the request names the
 * object. Objects are taken (read and deleted) by the receiver and expire after 15 minutes anyway.
 */
@Injectable()
export class FileTransfer {
  private bucket?: Promise<ObjectStore>;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_PREFIX) private readonly prefix: string,
  ) {}

  private store(): Promise<ObjectStore> {
    this.bucket ??= this.nc
      .jetstream()
      .views.os(transferBucketName(this.prefix), {
        description: 'files in transit between the gateway and services',
        ttl: nanos(15 * 60 * 1000),
        storage: StorageType.File,
      })
      .catch((error) => {
        this.bucket = undefined;
        throw error;
      });
    return this.bucket;
  }

  async put(bytes: Uint8Array): Promise<string> {
    const name = randomUUID();
    try {
      await (await this.store()).putBlob({ name }, bytes);
    } catch (error) {
      throw unavailable(error);
    }
    return name;
  }

  /** Reads an object and deletes it; null when it is not there (expired or taken). */
  async take(name: string): Promise<Uint8Array | null> {
    let bytes: Uint8Array | null;
    let store: ObjectStore;
    try {
      store = await this.store();
      bytes = await store.getBlob(name);
    } catch (error) {
      throw unavailable(error);
    }
    if (bytes) await store.delete(name).catch(() => undefined);
    return bytes;
  }
}
