import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The one paging query: limit 1–200, offset 0 up to what PostgreSQL and JavaScript both count exactly. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
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

export function pageOf(q: PageQuery): { take: number; skip: number } {
  return { take: q.limit ?? 50, skip: q.offset ?? 0 };
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
