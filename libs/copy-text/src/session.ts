/**
 * The session settings under which COPY text is canonical: the agent reads
 * with them, the worker loads and verifies with them, so the same value is
 * the same bytes on both sides. Given as startup options (`pg` `options`) so
 * every pooled connection has them before its first query. `pg` itself
 * always asks for client_encoding UTF8.
 */
export const COPY_SESSION_OPTIONS =
  '-c DateStyle=ISO,YMD -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex -c IntervalStyle=iso_8601';
