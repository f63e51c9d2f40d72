/** Every code a DomainError can carry. Adding one without a status below does not compile. */
export type ErrorCode =
  // The request
  | 'INVALID_JSON'
  | 'VALIDATION_FAILED'
  | 'INVALID_CURSOR'
  | 'INVALID_DRY_RUN_EVENT'
  | 'UNAUTHORIZED'
  | 'SIGNATURE_INVALID'
  | 'NOT_FOUND'
  | 'UNKNOWN_WORKFLOW'
  | 'UNKNOWN_WORKFLOW_VERSION'
  | 'UNKNOWN_SOURCE'
  | 'NO_RUN_TO_COMPARE'
  | 'METHOD_NOT_ALLOWED'
  | 'RUN_STATE_CONFLICT'
  | 'UNKNOWN_DESTINATION'
  | 'DESTINATION_STATE_CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RESERVED_HEADER'
  // Saving workflow files through the API
  | 'INVALID_WORKFLOW'
  | 'WORKFLOW_REVISION_CONFLICT'
  | 'WORKFLOW_EXISTS'
  | 'WORKFLOW_FILE_REFUSED'
  | 'WORKFLOWS_READ_ONLY'
  // Templates, and what a step's rendered input asks for
  | 'TEMPLATE_SYNTAX'
  | 'TEMPLATE_UNKNOWN_HELPER'
  | 'TEMPLATE_MISSING_PATH'
  | 'TEMPLATE_HELPER'
  | 'TEMPLATE_RENDER'
  | 'INVALID_STEP_INPUT'
  | 'INVALID_OUTBOUND_URL'
  | 'INVALID_SIGNING_SECRET'
  | 'OUTBOUND_BLOCKED'
  | 'WORKFLOW_CHAIN_TOO_DEEP'
  // The server: its state, its settings, its own consistency
  | 'UNKNOWN_STEP_KIND'
  | 'SOURCE_NOT_CONFIGURED'
  | 'SOURCE_PAUSED'
  | 'STORAGE_UNAVAILABLE'
  | 'INGRESS_BUSY'
  | 'NOT_READY'
  | 'INVALID_SETTING'
  | 'INVALID_TLS_FILES'
  | 'INVALID_ADMIN_TOKEN'
  | 'EMBEDDED_POSTGRES_FAILED';

/** The HTTP status each domain error code answers with. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  INVALID_CURSOR: 400,
  INVALID_DRY_RUN_EVENT: 400,
  UNAUTHORIZED: 401,
  SIGNATURE_INVALID: 401,
  NOT_FOUND: 404,
  UNKNOWN_WORKFLOW: 404,
  UNKNOWN_WORKFLOW_VERSION: 404,
  UNKNOWN_SOURCE: 404,
  NO_RUN_TO_COMPARE: 404,
  METHOD_NOT_ALLOWED: 405,
  RUN_STATE_CONFLICT: 409,
  UNKNOWN_DESTINATION: 404,
  DESTINATION_STATE_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RESERVED_HEADER: 422,
  INVALID_WORKFLOW: 422,
  WORKFLOW_REVISION_CONFLICT: 409,
  WORKFLOW_EXISTS: 409,
  // The request is understood and allowed to the admin, but this file or this server does not take writes.
  WORKFLOW_FILE_REFUSED: 403,
  WORKFLOWS_READ_ONLY: 403,
  // A template that does not compile is a mistake in its text; one that compiles but does not
  // fit the data it is given, or renders a step input that cannot be sent, is unprocessable.
  TEMPLATE_SYNTAX: 400,
  TEMPLATE_UNKNOWN_HELPER: 400,
  TEMPLATE_MISSING_PATH: 422,
  TEMPLATE_HELPER: 422,
  TEMPLATE_RENDER: 422,
  INVALID_STEP_INPUT: 422,
  INVALID_OUTBOUND_URL: 422,
  INVALID_SIGNING_SECRET: 422,
  OUTBOUND_BLOCKED: 403,
  WORKFLOW_CHAIN_TOO_DEEP: 422,
  // Workflows are validated before they load, so a kind without a connector is our fault.
  UNKNOWN_STEP_KIND: 500,
  SOURCE_NOT_CONFIGURED: 503,
  // Paused by an operator: the sender keeps the event and retries after Retry-After.
  SOURCE_PAUSED: 503,
  STORAGE_UNAVAILABLE: 503,
  INGRESS_BUSY: 503,
  NOT_READY: 503,
  // These stop the start; should one ever reach a request, the fault is the server's.
  INVALID_SETTING: 500,
  INVALID_TLS_FILES: 500,
  INVALID_ADMIN_TOKEN: 500,
  EMBEDDED_POSTGRES_FAILED: 500,
};
