import { Omittable } from './omittable';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;
/**
 * Deepest page: an offset costs the database a scan of every row before it, so a list is paged at
 * most this far (a million rows at 100 a page); narrow it with its filters (dates) to go further.
 */
export const MAX_PAGE = 10_000;

/** Paging shared by every list route: `?page=1&pageSize=20`. */
export class PageQuery {
  /** Page number, from 1, at most 10,000. */
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @Omittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number = 1;

  /** Items per page, at most 100. */
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @Omittable()
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
  /** Lists that stop counting (see CountedTotal): false when `total` is only a lower bound. */
  totalExact?: boolean;
}

/**
 * The large lists (permit applications, complaints) count matches only up to this many: counting
 * further on every page would cost more than the page (bench/README.md). Above it `total` is a lower
 * bound and `totalExact` is false; front ends show "1,000+" and page on.
 */
export const EXACT_TOTAL_UP_TO = 1_000;

export interface CountedTotal {
  total: number;
  totalExact: boolean;
}

/**
 * `total` from a page and, when the page cannot tell it, the matches counted with a limit of
 * EXACT_TOTAL_UP_TO + 1 (`counted`, undefined when not counted). A first page that is not full, or
 * a last page with rows on it, is its own total; a full page past EXACT_TOTAL_UP_TO proves more.
 * Throws when a count is needed and missing: the caller must count (see totalNeedsCount).
 */
export function countedTotal(offset: number, pageSize: number, rowsOnPage: number, counted?: number): CountedTotal {
  if (rowsOnPage < pageSize && (rowsOnPage > 0 || offset === 0)) return { total: offset + rowsOnPage, totalExact: true };
  if (rowsOnPage > 0 && offset + rowsOnPage > EXACT_TOTAL_UP_TO) return { total: offset + rowsOnPage, totalExact: false };
  if (counted === undefined) throw new Error('countedTotal: this page needs a count');
  if (counted <= EXACT_TOTAL_UP_TO) return { total: counted, totalExact: true };
  // More than EXACT_TOTAL_UP_TO match (an empty page past the end proves nothing more).
  return { total: EXACT_TOTAL_UP_TO, totalExact: false };
}

/** Whether a page at this offset can need a count at all (a full page past EXACT_TOTAL_UP_TO does not). */
export function totalNeedsCount(offset: number, pageSize: number): boolean {
  return offset + pageSize <= EXACT_TOTAL_UP_TO;
}

/**
 * A page and its total: `count` (matches, up to EXACT_TOTAL_UP_TO + 1) runs beside the page when
 * the page may need it, and after it when the page turned out empty past the end (no row there
 * proves anything, whatever the offset).
 */
export async function pageWithTotal<Row>(offset: number, pageSize: number, page: () => Promise<Row[]>, count: () => Promise<number>): Promise<{ rows: Row[] } & CountedTotal> {
  const [rows, counted] = await Promise.all([page(), totalNeedsCount(offset, pageSize) ? count() : Promise.resolve(undefined)]);
  const pastEnd = counted === undefined && rows.length === 0 && offset > 0;
  return { rows, ...countedTotal(offset, pageSize, rows.length, pastEnd ? await count() : counted) };
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

/** A page of a list that counts at most 1,000 matches (permit applications, complaints, notifications, messages, deliveries). */
export class CountedPageResponse extends PageResponse {
  /** true: `total` is exact. false: more than 1,000 match and `total` is a lower bound (1,000, or more on a page past it); show "1,000+". */
  @ApiProperty({ example: true, description: '`total` is exact up to 1,000 matches. Above that this is false and `total` is a lower bound: 1,000, or offset + items on a full page past it.' })
  totalExact: boolean;
}
