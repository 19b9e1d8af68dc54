import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { INestApplication } from '@nestjs/common';

/** RFC 9457 problem details, as every error is answered. */
export class ProblemDocument {
  @ApiProperty({ example: 'urn:smart-regency:error:COMMON.VALIDATION' })
  type: string;
  @ApiProperty({ example: 'Data yang dikirim tidak valid' })
  title: string;
  @ApiProperty({ example: 400 })
  status: number;
  @ApiProperty({ example: '1 isian tidak valid' })
  detail: string;
  /** Stable machine-readable error code `SERVICE.REASON`. */
  @ApiProperty({ example: 'COMMON.VALIDATION' })
  code: string;
  /** Every invalid field, for 400 validation errors. */
  @ApiPropertyOptional({ example: [{ field: 'pageSize', message: 'pageSize terlalu besar' }] })
  errors?: Array<{ field: string; message: string }>;
  @ApiProperty({ example: '5f0c6c1e-7d4e-4f7e-9a51-2f3c1b1f9e10' })
  requestId: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; every invalid field is listed in `errors`',
  401: 'No or bad token',
  403: 'Not allowed',
  404: 'Not found or not visible to the caller',
  409: 'State conflict or duplicate',
  412: 'If-Match version mismatch',
  429: 'Too many requests; see Retry-After',
  503: 'A backing service is unavailable',
};

export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDocument' } } } }),
    ),
  );

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('smart-regency API')
    .setDescription(
      'REST API of the smart-regency e-governance backend. Errors are RFC 9457 problem+json; ' +
        'messages follow Accept-Language (id, en). Every response carries X-Request-Id.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: [ProblemDocument] });
}
