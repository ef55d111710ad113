/* The one way request handlers write an audit event (core/events.h, docs/events.md):
 *
 *     grantd_event(req, "login_failed", NULL, client_id,
 *                  json_pack("{s:s}", "username", username));
 *
 * fills issuer (req->iss), address (req->remote_ip) and request id from the request; subject
 * and client may be NULL; extra is a JSON object of the event's own members (consumed; may
 * be NULL), never a secret. Also the request's scope for code below that has no request at
 * hand (the audit trail's changes, admin/audit.c). */
#ifndef GRANTD_OAUTH_EVENT_H
#define GRANTD_OAUTH_EVENT_H

#include <jansson.h>

#include "core/events.h"
#include "http/request.h"

void grantd_event(const struct grantd_request *req, const char *type, const char *subject,
                  const char *client, json_t *extra);

/* A rate limit applied to req (for the rate-limit code): counts
 * grantd_rate_limited_total{limit} and writes the "rate_limited" event with limit (a name
 * from a fixed set: "login", "client_auth", "introspect", "check", ...) and retry_after
 * (seconds; 0 for a delay rather than a refusal). subject and client may be NULL. */
void grantd_event_rate_limited(const struct grantd_request *req, const char *limit,
                               const char *subject, const char *client, long long retry_after);

/* Sets the calling thread's event scope to req (*who holds it; keep it alive until
 * grantd_event_scope_end). */
void grantd_event_scope_begin(const struct grantd_request *req, struct grantd_event_who *who);
void grantd_event_scope_end(void);

#endif
