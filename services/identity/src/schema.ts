import { AUDIT_MIGRATIONS, DatabaseSchema } from '@smart-regency/platform';
import { Agency } from './agencies/agency.entity';
import { CreateAgencies1764300000000 } from './migrations/1764300000000-CreateAgencies';
import { CreateUsers1764500000000 } from './migrations/1764500000000-CreateUsers';
import { User } from './users/user.entity';
import { CreateAuth1764600000000 } from './migrations/1764600000000-CreateAuth';
import { UserAdministration1764700000000 } from './migrations/1764700000000-UserAdministration';
import { CreateCalendar1764800000000 } from './migrations/1764800000000-CreateCalendar';
import { CreateServiceAccounts1764900000000 } from './migrations/1764900000000-CreateServiceAccounts';
import { UserErasure1765200000000 } from './migrations/1765200000000-UserErasure';
import { EncryptSigningKeys1767100000000 } from './migrations/1767100000000-EncryptSigningKeys';
import { SignInThrottles1767200000000 } from './migrations/1767200000000-SignInThrottles';
import { ChangedMeanwhile1767800000000 } from './migrations/1767800000000-ChangedMeanwhile';
import { RefreshInOneCall1767900000000 } from './migrations/1767900000000-RefreshInOneCall';
import { ServiceAccount } from './service-accounts/service-account.entity';
import { CalendarYear, HolidayRow } from './calendar/holiday.entity';
import { SigningKey } from './keys/signing-key.entity';
import { LoginEvent, RefreshToken } from './auth/refresh-token.entity';

/** Identity's tables and the migrations that build them, in order. */
export const identitySchema: DatabaseSchema = {
  entities: [Agency, User, SigningKey, RefreshToken, LoginEvent, CalendarYear, HolidayRow, ServiceAccount],
  migrations: [CreateAgencies1764300000000, CreateUsers1764500000000, CreateAuth1764600000000, UserAdministration1764700000000, CreateCalendar1764800000000, CreateServiceAccounts1764900000000, UserErasure1765200000000, ...AUDIT_MIGRATIONS, EncryptSigningKeys1767100000000, SignInThrottles1767200000000, ChangedMeanwhile1767800000000, RefreshInOneCall1767900000000],
};
