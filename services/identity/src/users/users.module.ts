import { Module } from '@nestjs/common';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { AdminBootstrap } from './admin-bootstrap';
import { ThrottlingModule } from '../throttling/throttling.module';

@Module({
  imports: [ThrottlingModule],
  controllers: [UsersController],
  providers: [UsersService, AdminBootstrap],
  exports: [UsersService],
})
export class UsersModule {}
