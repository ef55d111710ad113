/* The table of OAuth error codes and their statuses, and the one writer of refusals. */
#include "oauth/errors.h"

#include <string.h>

#include "core/log.h"
#include "core/metrics.h"
#include "ui/pages.h"

static const struct {
    const char *name;
    unsigned status;
} errors[GRANTD_OAUTH_ERROR_COUNT] = {
    [GRANTD_OAUTH_INVALID_REQUEST] = {"invalid_request", 400},
    [GRANTD_OAUTH_INVALID_CLIENT] = {"invalid_client", 401},
    [GRANTD_OAUTH_INVALID_GRANT] = {"invalid_grant", 400},
    [GRANTD_OAUTH_UNAUTHORIZED_CLIENT] = {"unauthorized_client", 400},
    [GRANTD_OAUTH_UNSUPPORTED_GRANT_TYPE] = {"unsupported_grant_type", 400},
    [GRANTD_OAUTH_INVALID_SCOPE] = {"invalid_scope", 400},
    [GRANTD_OAUTH_ACCESS_DENIED] = {"access_denied", 403},
    [GRANTD_OAUTH_UNSUPPORTED_RESPONSE_TYPE] = {"unsupported_response_type", 400},
    [GRANTD_OAUTH_INVALID_TOKEN] = {"invalid_token", 401},
    [GRANTD_OAUTH_INSUFFICIENT_SCOPE] = {"insufficient_scope", 403},
    [GRANTD_OAUTH_INVALID_TARGET] = {"invalid_target", 400},
    [GRANTD_OAUTH_LOGIN_REQUIRED] = {"login_required", 400},
    [GRANTD_OAUTH_CONSENT_REQUIRED] = {"consent_required", 400},
    [GRANTD_OAUTH_INTERACTION_REQUIRED] = {"interaction_required", 400},
    [GRANTD_OAUTH_REQUEST_NOT_SUPPORTED] = {"request_not_supported", 400},
    [GRANTD_OAUTH_REQUEST_URI_NOT_SUPPORTED] = {"request_uri_not_supported", 400},
};

const char *grantd_oauth_error_name(enum grantd_oauth_error e)
{
    return errors[e].name;
}

grantd_rc grantd_refuse(struct grantd_refusal *no, enum grantd_oauth_error e,
                        const char *description)
{
    memset(no, 0, sizeof(*no));
    no->error = errors[e].name;
    no->status = errors[e].status;
    no->description = description;
    return GRANTD_EREFUSED;
}

grantd_rc grantd_refuse_client(struct grantd_refusal *no, int tried_basic,
                               const char *description)
{
    grantd_rc rc = grantd_refuse(no, GRANTD_OAUTH_INVALID_CLIENT, description);
    if (tried_basic)
        no->challenge = "Basic realm=\"grantd\", charset=\"UTF-8\"";
    return rc;
}

grantd_rc grantd_refusal_challenge_basic(struct grantd_refusal *no, grantd_rc rc)
{
    if (rc == GRANTD_EREFUSED && no->status == 401 && !no->challenge)
        no->challenge = "Basic realm=\"grantd\", charset=\"UTF-8\"";
    return rc;
}

grantd_rc grantd_refuse_bearer(struct grantd_refusal *no, struct grantd_arena *a,
                               const char *realm, int e, const char *description,
                               const char *scope)
{
    if (e < 0) { /* RFC 6750 §3.1: no error attribute when the request had no token */
        memset(no, 0, sizeof(*no));
        no->status = 401;
        no->description = description;
        no->challenge = grantd_arena_printf(a, "Bearer realm=\"%s\"", realm);
        return GRANTD_EREFUSED;
    }
    grantd_rc rc = grantd_refuse(no, (enum grantd_oauth_error)e, description);
    const char *name = errors[e].name;
    no->challenge =
        scope ? grantd_arena_printf(a, "Bearer realm=\"%s\", error=\"%s\", "
                                       "error_description=\"%s\", scope=\"%s\"",
                                    realm, name, description, scope)
              : grantd_arena_printf(a, "Bearer realm=\"%s\", error=\"%s\", "
                                       "error_description=\"%s\"",
                                    realm, name, description);
    return rc;
}

grantd_rc grantd_refuse_page(struct grantd_refusal *no, unsigned status, const char *title,
                             const char *text)
{
    memset(no, 0, sizeof(*no));
    no->status = status;
    no->page_title = title;
    no->description = text;
    return GRANTD_EREFUSED;
}

void grantd_oauth_internal(struct grantd_request *req, struct grantd_response *resp,
                           grantd_rc rc)
{
    if (!grantd_request_accepts_html(req)) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    grantd_log(GRANTD_LOG_ERROR, "internal_error", "{s:s,s:s,s:s}", "request_id",
               req->request_id, "path", req->path, "error", grantd_strerror(rc));
    int busy = rc == GRANTD_EBUSY;
    struct grantd_ui_problem v = {
        .title = grantd_ui_say(req, busy ? GRANTD_T_busy_title : GRANTD_T_internal_title),
        .what = grantd_ui_say(req, busy ? GRANTD_T_busy_what : GRANTD_T_internal_what),
        .next = grantd_ui_say(req, GRANTD_T_wait_and_retry),
        .detail = busy ? "503 temporarily_unavailable" : "500 server_error",
    };
    grantd_ui_problem_page(req, resp, busy ? 503 : 500, &v);
    if (busy)
        grantd_response_header(resp, "Retry-After", "1");
}

void grantd_oauth_answer(struct grantd_request *req, struct grantd_response *resp, grantd_rc rc,
                         const struct grantd_refusal *no)
{
    if (rc == GRANTD_OK)
        return;
    if (rc != GRANTD_EREFUSED) {
        grantd_oauth_internal(req, resp, rc);
        return;
    }
    /* the error codes come from this file's table: a bounded label */
    grantd_metrics_count(GRANTD_METRIC_REFUSALS, no->error ? no->error : "other");
    if (no->page_title) {
        struct grantd_ui_problem v = {.title = no->page_title, .what = no->description,
                                      .next = no->page_next, .detail = no->page_detail};
        grantd_ui_problem_page(req, resp, no->status, &v);
        return;
    }
    if (no->error) {
        grantd_response_error(req, resp, no->status, no->error, no->description);
    } else {
        json_t *body = json_pack("{s:s?}", "error_description", no->description);
        grantd_response_json(req, resp, no->status, body);
    }
    if (no->challenge)
        grantd_response_header(resp, "WWW-Authenticate", no->challenge);
}
