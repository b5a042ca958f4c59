/**
 * Whether an error means that the database cannot be reached or did not answer in time, as
 * opposed to a statement it refused. The first is the database's state and passes (the service
 * answers 503 and the next request may succeed); the second is a fault in the request or the code.
 *
 * Decisions, and why:
 * - SQLSTATEs by class where PostgreSQL groups them (08: the connection), one by one elsewhere:
 *   class 57 also holds errors that are not about availability.
 * - A statement cancelled by `statement_timeout` (57014) counts: it is how a database that is stuck
 *   behind a lock or overloaded shows itself, and trying again later is the right advice.
 * - pg and pg-pool raise plain Errors without a code when a socket closes or a client-side timer
 *   fires; those are recognised by their messages, which both libraries have kept for years.
 * - Causes and the members of an AggregateError (Node gives one when every address of a host
 *   refuses) are searched too.
 */

const SQLSTATES = new Set([
  '57P01', // admin_shutdown: a restart, or pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '57P05', // idle_session_timeout
  '57014', // query_canceled: statement_timeout
  '25P03', // idle_in_transaction_session_timeout
  '53300', // too_many_connections
  '55P03', // lock_not_available: lock_timeout
]);

const ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

const MESSAGES = [
  /^Connection terminated/, // pg: the server closed the socket; pg-pool: "… due to connection timeout"
  /^timeout exceeded when trying to connect$/, // pg-pool: no free connection within connectionTimeoutMillis
  /^Query read timeout$/, // pg: query_timeout, the server did not answer at all
  /is not queryable$/, // pg: a client used after its connection failed
];

export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailable(error, 0);
}

function unavailable(error: unknown, depth: number): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || SQLSTATES.has(code) || ERRNO.has(code))) return true;
  if (typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((e) => unavailable(e, depth + 1))) return true;
  return unavailable(cause, depth + 1);
}
