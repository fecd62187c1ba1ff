import * as names from './service.ts';

/**
 * Jaeger tags that find the service's failed requests: server spans answered 5xx. Not
 * `error=true` and not `otel.status_code=ERROR`: Jaeger 2.13's memory store keeps the span
 * status out of the attributes it searches, and reads the string "true" of `error` as false
 * (internal/storage/v2/memory/tenant.go), so both find nothing; attributes do match.
 * Plain TypeScript without dependencies: `npm run top` imports it with no install.
 */
export const ERROR_SPAN_TAGS = `${names.ATTR_HTTP_RESPONSE_STATUS_CODE}=500`;
