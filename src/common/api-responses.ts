import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

/** Every error body (see ApiExceptionFilter). */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'Bad Request' }) error: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What is wrong: one sentence, or one per invalid field from validation',
    example: ['givenName must be a single line (no line breaks)'],
  })
  message: string | string[];
}

const DESCRIPTION: Record<number, string> = {
  400: 'The request is invalid; the message says what is wrong',
  401: 'No valid credential',
  403: 'The credential’s role may not do this',
  404: 'Not found in the caller’s clinic',
  409: 'Conflicts with the current state',
  410: 'Gone',
  413: 'The body is too large',
  429: 'Too many requests',
  503: 'A dependency (the database) is down',
};

/** The error responses a route can give, each with the shared `{ statusCode, error, message }` body. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTION[status] ?? 'Error', type: ErrorResponseDto })));
}
