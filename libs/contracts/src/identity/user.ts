import { Omittable } from '../common/omittable';
import { Transform } from 'class-transformer';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsEmail, IsIn, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQuery, PageResponse } from '../common/page';
import { QueryBoolean } from '../common/transforms';
import { ConsentResponse } from '../privacy/privacy';

export const ROLES = ['citizen', 'officer', 'agency_head', 'admin', 'auditor', 'integrator'] as const;
export type Role = (typeof ROLES)[number];

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** A citizen signing up. NIK and phone are checked further by identity (date, region, format). */
export class RegisterCitizenRequest {
  /** Nomor Induk Kependudukan: 16 digits. */
  @ApiProperty({ example: '1223015705900001', minLength: 16, maxLength: 16 })
  @trim() @IsString() @Matches(/^\d{16}$/, { message: 'nik must be 16 digits' })
  nik: string;

  @ApiProperty({ example: 'Siti Aminah' })
  @trim() @IsString() @MinLength(2) @MaxLength(120)
  fullName: string;

  @ApiProperty({ example: 'siti@example.id' })
  @trim() @IsEmail() @MaxLength(254)
  email: string;

  /** Indonesian number: +62…, 62… or 08…; stored as +62…. */
  @ApiProperty({ example: '081234567890' })
  @trim() @IsString() @Matches(/^(\+?62|0)[0-9 -]{8,16}$/, { message: 'phone must be an Indonesian number (+62… or 08…)' })
  phone: string;

  /** At least 10 characters, mixing letters with digits or symbols. */
  @ApiProperty({ minLength: 10, maxLength: 128 })
  @IsString() @MinLength(10) @MaxLength(128)
  password: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  /** Masked NIK, e.g. `1223**********01`; absent for staff. */
  @ApiPropertyOptional({ example: '1223**********01' })
  nik?: string;
  @ApiProperty()
  fullName: string;
  @ApiProperty()
  email: string;
  @ApiPropertyOptional({ example: '+6281234567890' })
  phone?: string;
  @ApiProperty({ enum: ROLES, isArray: true })
  roles: Role[];
  @ApiPropertyOptional({ format: 'uuid' })
  agencyId?: string;
  @ApiProperty()
  active: boolean;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  /** The privacy notice the citizen agreed to at registration (absent for staff). */
  @ApiPropertyOptional({ type: () => ConsentResponse })
  consent?: ConsentResponse;
}

const STAFF_ROLES = ['officer', 'agency_head', 'admin', 'auditor'] as const;

/** An admin creates a staff account and sets its first password. */
export class CreateStaffRequest {
  @ApiProperty({ example: 'petugas@dpmptsp.labura.go.id' })
  @trim() @IsEmail() @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Rahmat Hidayat' })
  @trim() @IsString() @MinLength(2) @MaxLength(120)
  fullName: string;

  @ApiPropertyOptional({ example: '081234567890' })
  @Omittable() @trim() @IsString() @Matches(/^(\+?62|0)[0-9 -]{8,16}$/, { message: 'phone must be an Indonesian number (+62… or 08…)' })
  phone?: string;

  /** `officer` and `agency_head` need an `agencyId`. */
  @ApiProperty({ enum: STAFF_ROLES, isArray: true })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(4) @IsIn(STAFF_ROLES, { each: true })
  roles: Array<(typeof STAFF_ROLES)[number]>;

  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable() @IsUUID()
  agencyId?: string;

  @ApiProperty({ minLength: 10, maxLength: 128 })
  @IsString() @MinLength(10) @MaxLength(128)
  password: string;
}

/** What an admin may change on an account; `active: false` disables sign-in at once. */
export class UpdateUserRequest {
  @ApiPropertyOptional()
  @Omittable() @trim() @IsString() @MinLength(2) @MaxLength(120)
  fullName?: string;

  @ApiPropertyOptional({ enum: STAFF_ROLES, isArray: true })
  @Omittable() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(4) @IsIn(STAFF_ROLES, { each: true })
  roles?: Array<(typeof STAFF_ROLES)[number]>;

  /** null removes the agency. */
  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @Omittable() @ValidateIf((_, v) => v !== null) @IsUUID()
  agencyId?: string | null;

  @ApiPropertyOptional()
  @Omittable() @IsBoolean()
  active?: boolean;
}

export class UpdateUserCommand extends UpdateUserRequest {
  @IsUUID()
  id: string;
}

export class UserIdRequest {
  @IsUUID()
  id: string;
}

/** Permits asks for an applicant's name, as itself, when it issues their certificate. */
export class HolderNameRequest {
  @IsUUID()
  userId: string;
}

export interface HolderNameResponse {
  fullName: string;
}

export class ListUsersRequest extends PageQuery {
  @ApiPropertyOptional({ enum: ROLES })
  @Omittable() @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid' })
  @Omittable() @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ type: Boolean })
  @Omittable() @QueryBoolean() @IsBoolean()
  active?: boolean;

  /** Matches name or email. */
  @ApiPropertyOptional()
  @Omittable() @IsString() @MaxLength(100)
  q?: string;
}

export class UserPage extends PageResponse {
  @ApiProperty({ type: [UserResponse] })
  items: UserResponse[];
}

/** What a user may change about themself. */
export class UpdateMeRequest {
  @ApiPropertyOptional()
  @Omittable() @trim() @IsString() @MinLength(2) @MaxLength(120)
  fullName?: string;

  @ApiPropertyOptional({ example: '081234567890' })
  @Omittable() @trim() @IsString() @Matches(/^(\+?62|0)[0-9 -]{8,16}$/, { message: 'phone must be an Indonesian number (+62… or 08…)' })
  phone?: string;
}

export class ChangePasswordRequest {
  @ApiProperty()
  @IsString() @MinLength(1) @MaxLength(128)
  currentPassword: string;

  @ApiProperty({ minLength: 10, maxLength: 128 })
  @IsString() @MinLength(10) @MaxLength(128)
  newPassword: string;
}

/**
 * Sessions that ended recently. With `sessionIds`, those sign-ins ended (logout, a replayed refresh
 * token, a password change ending the others): the gateway refuses every access token carrying one
 * of them as `sid`. Without, every session of the user ended (disabled, roles changed, erased): the
 * gateway refuses the user's access tokens issued at or before `at`.
 */
export interface Revocation {
  userId: string;
  at: string;
  sessionIds?: string[];
}
