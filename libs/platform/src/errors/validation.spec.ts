import { Type } from 'class-transformer';
import { IsInt, IsString, Max, ValidateNested } from 'class-validator';
import { DomainError } from './domain-error';
import { createValidationPipe } from './validation';

class Location {
  @IsInt() @Max(90) lat: number;
}
class Item {
  @IsString() code: string;
}
class Body {
  @IsString() name: string;
  @ValidateNested() @Type(() => Location) location: Location;
  @ValidateNested({ each: true }) @Type(() => Item) items: Item[];
}

describe('validation pipe', () => {
  const pipe = createValidationPipe();
  const validate = (value: unknown) => pipe.transform(value, { type: 'body', metatype: Body });

  it('lists every invalid field, nested ones by path, and unknown fields', async () => {
    const error = await validate({ name: 7, location: { lat: 100 }, items: [{ code: 'ok' }, { code: 1 }], role: 'admin' }).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('COMMON.VALIDATION');
    expect(error.details.map((d: { field: string; rule: string }) => `${d.field}:${d.rule}`).sort()).toEqual([
      'items[1].code:isString',
      'location.lat:max',
      'name:isString',
      'role:whitelistValidation',
    ]);
  });

  it('passes a valid body through as an instance', async () => {
    const body = await validate({ name: 'x', location: { lat: 3 }, items: [] });
    expect(body).toBeInstanceOf(Body);
  });
});
