import { SetMetadata } from '@nestjs/common';

export const QUERY_TOKEN_ALLOWED = 'hookflow:query-token-allowed';

/**
 * Lets a GET handler take the admin token as `?access_token=`, for a browser's EventSource,
 * which cannot send headers. Everywhere else a token in the URL is refused: URLs end up in
 * proxy logs, browser history and Referer headers.
 */
export const QueryTokenAllowed = (): MethodDecorator => SetMetadata(QUERY_TOKEN_ALLOWED, true);
