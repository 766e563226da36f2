import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, OmtError, type ErrorCode, type ErrorEnvelope } from '@omt/contracts';

/** A write refused for want of space (disk full, quota spent): the stores' writes fail with these errno codes. */
const STORAGE_FULL_ERRNO = new Set(['ENOSPC', 'EDQUOT']);

function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_FULL_ERRNO.has(code);
}

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * The one place where errors become HTTP answers: every error body is the
 * contracts' envelope `{ code, message, details[] }`. Unknown errors are
 * logged with their stack and answered with a generic INTERNAL message, so
 * nothing internal leaks to the caller.
 */
@Catch()
export class OmtExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const { status, envelope } = this.toEnvelope(exception, request);
    response.status(status).json(envelope);
  }

  private toEnvelope(exception: unknown, request: Request): { status: number; envelope: ErrorEnvelope } {
    if (exception instanceof OmtError) return { status: exception.status, envelope: exception.toEnvelope() };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_TO_CODE[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
      const message =
        status === 404
          ? `No route ${request.method} ${request.originalUrl.split('?')[0]}.`
          : this.httpMessage(exception);
      return { status, envelope: { code, message, details: [] } };
    }
    // body-parser errors: malformed JSON, body too large.
    const bodyError = exception as { type?: string; status?: number };
    if (bodyError?.type === 'entity.parse.failed') {
      return {
        status: 400,
        envelope: { code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON.', details: [] },
      };
    }
    if (bodyError?.type === 'entity.too.large') {
      return {
        status: 413,
        envelope: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.', details: [] },
      };
    }
    if (isStorageFull(exception)) {
      this.logger.error({ err: exception, method: request.method, path: request.path }, 'storage full');
      return {
        status: ERROR_CODES.STORAGE_FULL,
        envelope: {
          code: 'STORAGE_FULL',
          message: 'The service is out of storage space; nothing of this request was kept. Send it again later.',
          details: [],
        },
      };
    }
    this.logger.error({ err: exception, method: request.method, path: request.path }, 'unhandled error');
    return {
      status: 500,
      envelope: { code: 'INTERNAL', message: 'Something went wrong on our side; it has been logged.', details: [] },
    };
  }

  private httpMessage(exception: HttpException): string {
    const body = exception.getResponse();
    if (typeof body === 'string') return body;
    const message = (body as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
  }
}
