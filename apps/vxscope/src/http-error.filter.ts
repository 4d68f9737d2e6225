import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

import { CaptureTooLargeError } from './capture/capture-too-large.error';
import { NotACaptureError } from './capture/not-a-capture.error';
import { CommandError } from './lab/command.runner';
import { LabConflictError } from './lab/errors/lab-conflict.error';
import { LabInvalidError } from './lab/errors/lab-invalid.error';
import { LabNotFoundError } from './lab/errors/lab-not-found.error';
import { NetlinkError } from './netlink/netlink-error';

/**
 * The one place errors become HTTP responses: Nest's HttpExceptions as they are, domain errors by
 * their class, and anything else as a logged 500 without internals in the body.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (err instanceof HttpException) {
      res.status(err.getStatus()).json(err.getResponse());
      return;
    }
    // Express middleware errors (body-parser: 413 too large, 400 bad JSON) carry their own 4xx status.
    const own = (err as { status?: unknown; expose?: unknown }).status;
    if (typeof own === 'number' && own >= 400 && own < 500 && (err as { expose?: unknown }).expose === true) {
      res.status(own).json({ statusCode: own, error: (err as Error).name, message: (err as Error).message });
      return;
    }
    const [status, error] = HttpErrorFilter.map(err);
    if (status === HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    }
    res.status(status).json({ statusCode: status, error, message: status === HttpStatus.INTERNAL_SERVER_ERROR ? 'internal error' : (err as Error).message });
  }

  private static map(err: unknown): [HttpStatus, string] {
    if (err instanceof NotACaptureError) {
      return [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Not a capture'];
    }
    if (err instanceof CaptureTooLargeError) {
      return [HttpStatus.PAYLOAD_TOO_LARGE, 'Capture too large'];
    }
    if (err instanceof LabNotFoundError) {
      return [HttpStatus.NOT_FOUND, 'Not Found'];
    }
    if (err instanceof LabConflictError) {
      return [HttpStatus.CONFLICT, 'Conflict'];
    }
    if (err instanceof LabInvalidError) {
      return [HttpStatus.BAD_REQUEST, 'Bad Request'];
    }
    if (err instanceof CommandError || err instanceof NetlinkError) {
      // A system tool or the kernel refused: the request was valid, the machine state was not what the lab expected.
      return [HttpStatus.UNPROCESSABLE_ENTITY, 'Command failed'];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, 'Internal Server Error'];
  }
}
