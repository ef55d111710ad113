/* grantd_event: an audit event with the request's issuer, address and id (oauth/event.h).
 * Not here: the stream (core/events.c). */
#include "oauth/event.h"

#include "core/metrics.h"
#include "http/app.h"

static struct grantd_event_who who_of(const struct grantd_request *req)
{
    struct grantd_event_who who = {
        .issuer = req->iss ? req->iss->url : NULL,
        .address = req->remote_ip,
        .request_id = req->request_id,
    };
    return who;
}

void grantd_event(const struct grantd_request *req, const char *type, const char *subject,
                  const char *client, json_t *extra)
{
    if (!grantd_events_on()) {
        json_decref(extra);
        return;
    }
    struct grantd_event_who who = who_of(req);
    who.subject = subject;
    who.client = client;
    grantd_events_emit(type, &who, extra);
}

void grantd_event_rate_limited(const struct grantd_request *req, const char *limit,
                               const char *subject, const char *client, long long retry_after)
{
    grantd_metrics_count(GRANTD_METRIC_RATE_LIMITED, limit);
    grantd_event(req, "rate_limited", subject, client,
                 json_pack("{s:s,s:I}", "limit", limit, "retry_after", (json_int_t)retry_after));
}

void grantd_event_scope_begin(const struct grantd_request *req, struct grantd_event_who *who)
{
    *who = who_of(req);
    grantd_events_scope(who);
}

void grantd_event_scope_end(void)
{
    grantd_events_scope(NULL);
}
