/* GET /v1/revocations?after=CURSOR[&limit=N] on the admin listener: the revocation feed
 * that resource servers (libgrantd-verify) follow so that no cache of theirs keeps accepting
 * a token after the server revoked it. The issuer is the one X-Grantd-Issuer names, as for
 * /check; the events are the store's (store.h, revocations_since), which every revocation
 * appends in its own transaction.
 *
 * The answer: {"events": [EVENT...], "cursor": N}, oldest first, N being what to pass as
 * after next time (after itself when there is nothing new). An EVENT is {"cursor", "kind",
 * "at"} and, by kind: "token" -> "token_hash" (lowercase hex of the first 24 bytes of the
 * SHA-256 of the token's text, for an opaque token; of the jti's text for a revoked JWT),
 * "family" -> "family", "client" -> "client_id", "user" -> "sub", "key" -> "kid".
 *
 * Plain polling: the answer comes at once (no long-poll yet). Not here: what appends
 * events (the store), the follower (src/verify/). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/app.h"
#include "oauth/endpoints.h"
#include "store/store.h"

#define FEED_PAGE 500 /* events per answer at most; a follower asks again at once */

/* The member that names a kind's subject. */
static const char *subject_member(const char *kind)
{
    static const struct { const char *kind, *member; } names[] = {
        {"token", "token_hash"}, {"family", "family"}, {"client", "client_id"},
        {"user", "sub"},         {"key", "kid"},
    };
    const char *member = "subject";
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(kind, names[i].kind) == 0)
            member = names[i].member;
    return member;
}

static json_t *event_json(const struct grantd_revocation *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "cursor", json_integer(e->cursor));
    json_object_set_new(o, "kind", json_string(e->kind));
    json_object_set_new(o, subject_member(e->kind), json_string(e->subject));
    json_object_set_new(o, "at", json_integer(e->at));
    return o;
}

/* A decimal cursor in [0, INT64_MAX]; absent is 0. */
static int parse_cursor(const char *text, int64_t *out)
{
    *out = 0;
    if (!text)
        return 1;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    int ok = *text >= '0' && *text <= '9' && *end == '\0' && errno == 0 && v >= 0;
    if (ok)
        *out = v;
    return ok;
}

void grantd_revocations_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    const char *after_text = NULL;
    int64_t after = 0;
    grantd_rc rc = grantd_params_get(&req->query, "after", &after_text);
    if (req->query_rc != GRANTD_OK || (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND) ||
        !parse_cursor(after_text, &after)) {
        grantd_response_error(req, resp, 400, "invalid_request", "after: a cursor");
        return;
    }
    struct grantd_revocation *events = NULL;
    size_t count = 0;
    int64_t next = after;
    rc = grantd_store_revocations_since(req->app->store, req->arena, req->iss->tenant, after,
                                        FEED_PAGE, &events, &count, &next);
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, event_json(&events[i]));
    json_t *body = json_object();
    json_object_set_new(body, "events", list);
    json_object_set_new(body, "cursor", json_integer(next));
    grantd_response_json(req, resp, 200, body);
}
