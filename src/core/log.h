/* Structured logging: one JSON object per line on the log stream (stderr by default).
 *
 * Callers pass members in jansson's json_pack format, e.g.
 *   grantd_log(GRANTD_LOG_INFO, "request", "{s:s,s:i}", "method", m, "status", 200);
 * The logger adds "ts", "level" and "event". Nothing secret may be passed: no tokens, codes,
 * secrets, passwords or query strings (which can carry codes). Lines are written with one
 * write(2) so concurrent threads never interleave. */
#ifndef GRANTD_CORE_LOG_H
#define GRANTD_CORE_LOG_H

enum grantd_log_level { GRANTD_LOG_DEBUG, GRANTD_LOG_INFO, GRANTD_LOG_WARN, GRANTD_LOG_ERROR };

/* Sets the minimum level and the file descriptor lines go to (2 by default). */
void grantd_log_setup(enum grantd_log_level min, int fd);
/* Parses "debug", "info", "warn", "error"; -1 when unknown. */
int grantd_log_level_parse(const char *name);
int grantd_log_enabled(enum grantd_log_level level);
/* The current UTC time as the log lines' "ts" (2026-12-05T06:42:26.508Z), into out. */
void grantd_log_timestamp(char out[32]);
/* fmt may be NULL for an event with no members. */
void grantd_log(enum grantd_log_level level, const char *event, const char *fmt, ...);

#endif
