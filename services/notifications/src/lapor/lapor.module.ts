import { Module } from '@nestjs/common';
import { RpcClient } from '@smart-regency/platform';
import { DataSource } from 'typeorm';
import { NotificationsConfig } from '../config';
import { LAPOR_GATEWAY, LaporForwarder } from './lapor-forwarder';
import { HttpLaporGateway, LaporGateway } from './lapor-gateway';

@Module({
  providers: [
    {
      provide: LAPOR_GATEWAY,
      useFactory: (config: NotificationsConfig): LaporGateway | null =>
        config.LAPOR_URL ? new HttpLaporGateway({ url: config.LAPOR_URL, token: config.LAPOR_TOKEN ?? '', timeoutMs: config.MESSAGE_TIMEOUT_MS }) : null,
      inject: [NotificationsConfig],
    },
    {
      provide: LaporForwarder,
      useFactory: (db: DataSource, rpc: RpcClient, config: NotificationsConfig, gateway: LaporGateway | null) => new LaporForwarder(db, rpc, config, gateway),
      inject: [DataSource, RpcClient, NotificationsConfig, LAPOR_GATEWAY],
    },
  ],
  exports: [LaporForwarder],
})
export class LaporModule {}
