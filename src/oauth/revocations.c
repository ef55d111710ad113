/* GET /v1/revocations?after=CURSOR[&wait=SECONDS] on the admin listener: the revocation feed
 * that resource servers (libgrantd-verify) follow so that no cache of theirs keeps accepting
 * a token after the server revoked it. The issuer is the one X-Grantd-Issuer names, as for
 * /check; the events are the store's (store.h, revocations_since), which every revocation
 * appends in its own transaction.
 *
 * The answer: {"events": [EVENT...], "cursor": N}, oldest first, N being what to pass as
 * after next time (after itself when there is nothing new). An EVENT is {"cursor", "kind",
 * "at"} and, by kind: "token" -> "token_hash" (lowercase hex of the first 24 bytes of the
 * SHA-256 of the token's text, for an opaque token; of the jti's text for a revoked JWT),
 * "family" -> "family", "client" -> "client_id", "user" -> "sub", "key" -> "kid" (its "at"
 * is when the key retires: now for `grantd key retire`, ahead of now for a rotation's
 * scheduled retirement; a verifier refuses the key's tokens from then on).
 *
 * A cursor below the feed's floor (events after it were purged: the janitor keeps them
 * revocation_feed_retention seconds) is answered 410 {"error": "cursor_expired", "cursor":
 * FLOOR}: the reader missed events it cannot get back, should drop whatever it cached on
 * the strength of the feed, and go on after FLOOR.
 *
 * Long-poll: with wait=SECONDS (0 to GRANTD_FEED_WAIT_MAX = 30; more is cut to 30) and no
 * event after the cursor, the answer waits until an event arrives (written by this process
 * or, seen through the change watcher, by any other) or the wait ends, then is the same
 * answer (an empty page when the wait ended). The request waits in feed_wait.c, its
 * connection suspended, so a waiting request holds no I/O thread; a stopping server
 * answers every waiting request at once.
 *
 * Not here: what appends events (the store), the follower (src/verify/). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/clock.h"
#include "http/app.h"
#include "oauth/endpoints.h"
#include "oauth/feed_wait.h"
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

/* The page after `after`, read into req's arena; floor > after when events after `after`
 * were purged (then the page is not to be trusted). */
struct page {
    struct grantd_revocation *events;
    size_t count;
    int64_t after, next, floor;
};

/* The floor is read after the events: it only rises, so a floor at or below `after` then
 * means no purge had reached past `after` when the events were read. */
static grantd_rc read_page(struct grantd_request *req, int64_t after, struct page *p)
{
    *p = (struct page){NULL, 0, after, after, 0};
    grantd_rc rc = grantd_store_revocations_since(req->app->store, req->arena, req->iss->tenant,
                                                  after, FEED_PAGE, &p->events, &p->count,
                                                  &p->next);
    if (rc == GRANTD_OK)
        rc = grantd_store_revocations_floor(req->app->store, &p->floor);
    return rc == GRANTD_ENOTSUP ? GRANTD_OK : rc; /* a driver that never purges */
}

static void answer_page(struct grantd_request *req, struct grantd_response *resp, grantd_rc rc,
                        const struct page *p)
{
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    if (p->floor > p->after) {
        json_t *gone = json_pack("{s:s,s:s,s:I}", "error", "cursor_expired",
                                 "error_description", "events after this cursor were purged; "
                                 "start again from the cursor given", "cursor",
                                 (json_int_t)p->floor);
        grantd_response_json(req, resp, 410, gone);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < p->count; i++)
        json_array_append_new(list, event_json(&p->events[i]));
    json_t *body = json_object();
    json_object_set_new(body, "events", list);
    json_object_set_new(body, "cursor", json_integer(p->next));
    grantd_response_json(req, resp, 200, body);
}

/* After a long-poll's wait: the page as it is now. */
static void after_wait(struct grantd_request *req, struct grantd_response *resp, void *arg)
{
    const struct grantd_feed_wait *e = arg;
    struct page p;
    grantd_rc rc = read_page(req, e->after, &p);
    answer_page(req, resp, rc, &p);
}

/* The query's decimal parameter name in [0, INT64_MAX]; absent is 0. 0 when malformed. */
static int param(struct grantd_request *req, const char *name, int64_t *out)
{
    const char *text = NULL;
    grantd_rc rc = grantd_params_get(&req->query, name, &text);
    return (rc == GRANTD_OK || rc == GRANTD_ENOTFOUND) && parse_cursor(text, out);
}

void grantd_revocations_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    int64_t after = 0, wait = 0;
    if (req->query_rc != GRANTD_OK || !param(req, "after", &after)) {
        grantd_response_error(req, resp, 400, "invalid_request", "after: a cursor");
        return;
    }
    if (!param(req, "wait", &wait)) {
        grantd_response_error(req, resp, 400, "invalid_request", "wait: whole seconds");
        return;
    }
    struct page p;
    grantd_rc rc = read_page(req, after, &p);
    if (rc != GRANTD_OK || p.count > 0 || p.floor > after || wait == 0 ||
        !req->app->feed_waiter) {
        answer_page(req, resp, rc, &p);
        return;
    }
    if (wait > GRANTD_FEED_WAIT_MAX)
        wait = GRANTD_FEED_WAIT_MAX;
    struct grantd_feed_wait *e = grantd_arena_alloc(req->arena, sizeof(*e));
    *e = (struct grantd_feed_wait){.w = req->app->feed_waiter, .tenant = req->iss->tenant,
                                   .after = after,
                                   .deadline_us = grantd_clock_real_mono_us() + wait * 1000000};
    grantd_response_defer(resp, grantd_feed_wait_start, after_wait, NULL, e);
}
