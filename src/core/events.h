/* Audit events: one JSON object per line on a stream of their own (`audit_events` in the
 * configuration: "stderr" or a file opened O_APPEND, 0600), for a SIEM to follow. Every line
 * has the fixed members of docs/events.md:
 *
 *   {"ts":"2026-12-05T05:10:05.123Z","event":"login_failed","issuer":...,"subject":...,
 *    "client":...,"address":...,"request_id":..., ...the event's own members}
 *
 * (null where a member does not apply) and is written with one write(2), so lines of
 * concurrent threads and processes never interleave. Nothing secret is ever passed: no
 * password, token, code, secret, cookie or hash of one (the callers' duty, as with
 * core/log.h). Not here: the request-aware helper (oauth/event.h, grantd_event), the
 * stored audit trail (admin/audit.c), log rotation (grantd_events_reopen after a move). */
#ifndef GRANTD_CORE_EVENTS_H
#define GRANTD_CORE_EVENTS_H

#include <jansson.h>

#include "core/error.h"

/* Who and where an event is about; any member may be NULL (null in the line). */
struct grantd_event_who {
    const char *issuer, *subject, *client, *address, *request_id;
};

/* Opens the stream: target "stderr", or a file path (created 0600, appended to). NULL:
 * events off (the default), emits are no-ops. err gets a one-line reason on failure. */
GRANTD_MUST_USE grantd_rc grantd_events_open(const char *target, char *err, size_t errlen);
/* Opens the file again under its name (after logrotate moved it) and switches to it; the
 * old descriptor is closed once no thread writes to it. GRANTD_OK for stderr or off. */
GRANTD_MUST_USE grantd_rc grantd_events_reopen(void);
/* Closes the stream; events are off again. */
void grantd_events_close(void);
/* 1 when events are on. */
int grantd_events_on(void);

/* Writes one event of type with who's members and extra's (a JSON object, consumed; may be
 * NULL). Members of extra never replace the fixed ones. */
void grantd_events_emit(const char *type, const struct grantd_event_who *who, json_t *extra);

/* Where the calling thread's events come from when the code emitting them has no request at
 * hand (admin/audit.c: the admin API and the console set it around their handlers). who's
 * strings must outlive the scope; NULL clears it. Its address and request id, and its
 * issuer when the emitter passes none, fill the event's. */
void grantd_events_scope(const struct grantd_event_who *who);
const struct grantd_event_who *grantd_events_current_scope(void);

#endif
