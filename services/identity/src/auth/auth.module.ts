import { Module } from '@nestjs/common';
import { KeysService } from '../keys/keys.service';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ServiceAccountsController } from '../service-accounts/service-accounts.controller';
import { ServiceAccountsService } from '../service-accounts/service-accounts.service';
import { ThrottlingModule } from '../throttling/throttling.module';

@Module({
  imports: [UsersModule, ThrottlingModule],
  controllers: [AuthController, ServiceAccountsController],
  providers: [AuthService, KeysService, ServiceAccountsService],
  exports: [AuthService, KeysService],
})
export class AuthModule {}
