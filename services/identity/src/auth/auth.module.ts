import { Module } from '@nestjs/common';
import { KeysService } from '../keys/keys.service';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';

@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [AuthService, KeysService],
  exports: [AuthService, KeysService],
})
export class AuthModule {}
