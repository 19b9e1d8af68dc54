import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Matches, MaxLength, MinLength } from 'class-validator';

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
}
