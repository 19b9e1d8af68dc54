import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export class Holiday {
  /** A non-working day (national holiday or cuti bersama), Jakarta calendar date. */
  @ApiProperty({ example: '2026-08-17' })
  @IsString() @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date: string;

  @ApiProperty({ example: 'Hari Proklamasi Kemerdekaan RI' })
  @IsString() @MinLength(2) @MaxLength(120)
  name: string;
}

export class CalendarResponse {
  @ApiProperty({ example: 2026 })
  year: number;
  /** Sorted by date. Weekends are never working days and are not listed. */
  @ApiProperty({ type: [Holiday] })
  holidays: Holiday[];
}

export class CalendarYearRequest {
  @Type(() => Number) @IsInt() @Min(2000) @Max(2100)
  year: number;
}

export class PutCalendarRequest {
  @ApiProperty({ type: [Holiday] })
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => Holiday)
  holidays: Holiday[];
}

export class PutCalendarCommand extends PutCalendarRequest {
  @IsInt() @Min(2000) @Max(2100)
  year: number;
}
