import { CallContext, CallerSigner, Metrics, RpcClient } from '@smart-regency/platform';
import { RequestOf, ResponseOf, Subject } from '@smart-regency/contracts';
import { connect, NatsConnection } from 'nats';
import { TEST_NATS_URL } from './env';

/** Speaks to services over NATS exactly as the gateway does, for service-level integration tests. */
export class TestRpc {
  private constructor(
    readonly connection: NatsConnection,
    private readonly client: RpcClient,
  ) {}

  /** `signingKey`: the run's ACTOR_SIGNING_KEY, so the services trust the callers this client names. */
  static async connect(prefix: string, signingKey: string, timeoutMs = 5000): Promise<TestRpc> {
    const connection = await connect({ servers: TEST_NATS_URL, name: 'test' });
    return new TestRpc(connection, new RpcClient(connection, prefix, timeoutMs, new Metrics('test'), new CallerSigner(signingKey)));
  }

  send<S extends Subject>(subject: S, payload: RequestOf<S>, ctx?: CallContext): Promise<ResponseOf<S>> {
    return this.client.send(subject, payload, ctx);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
