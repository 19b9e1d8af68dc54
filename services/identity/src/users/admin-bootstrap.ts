import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { IdentityConfig } from '../config';
import { UsersService } from './users.service';

@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly users: UsersService,
    private readonly config: IdentityConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const outcome = await this.users.ensureBootstrapAdmin();
    if (outcome === 'created') this.logger.log(`created the first admin ${this.config.ADMIN_EMAIL}`);
    if (outcome === 'skipped') this.logger.warn('ADMIN_PASSWORD is not set and no admin exists: nobody can administer this install yet');
  }
}
