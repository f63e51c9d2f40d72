import { Controller, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminTokenGuard } from './admin-token.guard';
import { ErrorAnswer } from './api-models';

/** A management API controller: under `path`, behind the admin token, documented under `tag`. */
export function AdminApiController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(path),
    UseGuards(AdminTokenGuard),
    ApiTags(tag),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorAnswer, description: 'No admin token, or a wrong one' }),
    ApiBadRequestResponse({ type: ErrorAnswer, description: 'A parameter or the body failed validation' }),
  );
}
