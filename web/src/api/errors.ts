/** The body of every error the service sends (src/common/errors.ts). */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

/** The service answered with an error: its status and its own words. */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly error: string;
  /** Each of the service's messages (validation errors come as a list). */
  readonly messages: string[];
  /** From Retry-After on a 429 or 503, in seconds. */
  readonly retryAfterSeconds: number | null;
  /** The whole body, for the few answers that carry more than words (sign-in's clinic choice). */
  readonly body: ApiErrorBody & Record<string, unknown>;

  constructor(body: ApiErrorBody, retryAfterSeconds: number | null = null) {
    const messages = Array.isArray(body.message) ? body.message : [body.message];
    super(messages.join('; '));
    this.name = 'ApiError';
    this.statusCode = body.statusCode;
    this.error = body.error;
    this.messages = messages;
    this.retryAfterSeconds = retryAfterSeconds;
    this.body = body as ApiErrorBody & Record<string, unknown>;
  }

  static from(response: Response, body: unknown): ApiError {
    const retryAfter = Number(response.headers.get('Retry-After'));
    const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
    if (isErrorBody(body)) return new ApiError(body, seconds);
    // Not the service's JSON (a proxy's page, an empty body): still an ApiError with the status.
    return new ApiError(
      { statusCode: response.status, error: response.statusText || 'Error', message: response.statusText || `HTTP ${response.status}` },
      seconds,
    );
  }
}

/** The request never got an answer: no network, or the service is down. */
export class ConnectionError extends Error {
  constructor(cause?: unknown) {
    super('Aftercare cannot be reached', { cause });
    this.name = 'ConnectionError';
  }
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  if (!body || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  return typeof b.statusCode === 'number' && (typeof b.message === 'string' || Array.isArray(b.message));
}
