import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** How many items a page holds when the query names no limit. */
export const DEFAULT_PAGE_LIMIT = 50;

/** The one paging query: limit 1–200, offset 0 up to what PostgreSQL and JavaScript both count exactly. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: DEFAULT_PAGE_LIMIT })
  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 })
  @IsOptional() @Type(() => Number) @IsInt({ message: 'offset must be a whole number' }) @Min(0)
  @Max(Number.MAX_SAFE_INTEGER, { message: `offset must not be greater than ${Number.MAX_SAFE_INTEGER}` })
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The page a query asks for, with the defaults filled in (`take`/`skip` as TypeORM names them). */
export function pageOf(q: PageQuery): { limit: number; offset: number; take: number; skip: number } {
  const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = q.offset ?? 0;
  return { limit, offset, take: limit, skip: offset };
}

const pageClasses = new Map<ClassType, ClassType>();
const itemsClasses = new Map<ClassType, ClassType>();

/** `{ items, total, limit, offset }` of `item` as a named OpenAPI schema (`<Item>Page`), one class per item DTO. */
export function PageOf<T>(item: ClassType<T>): ClassType<Page<T>> {
  let cls = pageClasses.get(item);
  if (!cls) {
    class PageDto implements Page<T> {
      @ApiProperty({ type: () => [item] }) items: T[];
      @ApiProperty({ description: 'How many match, across all pages' }) total: number;
      @ApiProperty() limit: number;
      @ApiProperty() offset: number;
    }
    Object.defineProperty(PageDto, 'name', { value: `${item.name.replace(/Dto$/, '')}Page` });
    cls = PageDto;
    pageClasses.set(item, cls);
  }
  return cls as ClassType<Page<T>>;
}

/** `{ items }` of `item`, for a whole (unpaged) list, as a named schema (`<Item>List`). */
export function ItemsOf<T>(item: ClassType<T>): ClassType<{ items: T[] }> {
  let cls = itemsClasses.get(item);
  if (!cls) {
    class ItemsDto {
      @ApiProperty({ type: () => [item] }) items: T[];
    }
    Object.defineProperty(ItemsDto, 'name', { value: `${item.name.replace(/Dto$/, '')}List` });
    cls = ItemsDto;
    itemsClasses.set(item, cls);
  }
  return cls as ClassType<{ items: T[] }>;
}
