import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;

/** Paging shared by every list route: `?page=1&pageSize=20`. */
export class PageQuery {
  /** Page number, from 1. */
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number = 1;

  /** Items per page, at most 100. */
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize?: number = 20;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export function pageOf<T>(items: T[], total: number, query: PageQuery): Page<T> {
  return { items, page: query.page ?? 1, pageSize: query.pageSize ?? 20, total };
}

export function pageOffset(query: PageQuery): { skip: number; take: number } {
  const pageSize = query.pageSize ?? 20;
  return { skip: ((query.page ?? 1) - 1) * pageSize, take: pageSize };
}

/** Base for the OpenAPI description of a page; subclasses declare `items`. */
export class PageResponse {
  @ApiProperty({ example: 1 })
  page: number;
  @ApiProperty({ example: 20 })
  pageSize: number;
  @ApiProperty({ example: 42 })
  total: number;
}
