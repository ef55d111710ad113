/* Building responses: JSON bodies, OAuth error bodies, and the one place internal failures
 * become HTTP statuses. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "http/request.h"

const char *grantd_request_header(const struct grantd_request *req, const char *name)
{
    for (size_t i = 0; i < req->headers.count; i++)
        if (strcasecmp(req->headers.items[i].name, name) == 0)
            return req->headers.items[i].value;
    return NULL;
}

void grantd_response_header(struct grantd_response *resp, const char *name, const char *value)
{
    /* the table is sized for every header grantd sets; running out is a programming error */
    if (resp->header_count >= GRANTD_MAX_RESPONSE_HEADERS)
        abort();
    resp->headers[resp->header_count].name = name;
    resp->headers[resp->header_count].value = value;
    resp->header_count++;
}

void grantd_response_defer(struct grantd_response *resp, grantd_defer_start_fn start,
                           grantd_defer_cont_fn cont, grantd_defer_drop_fn drop, void *arg)
{
    resp->defer.start = start;
    resp->defer.cont = cont;
    resp->defer.drop = drop;
    resp->defer.arg = arg;
}

void grantd_response_body(struct grantd_response *resp, unsigned status,
                          const char *content_type, const char *body, size_t len)
{
    resp->status = status;
    resp->content_type = content_type;
    resp->body = body;
    resp->body_len = len;
    grantd_response_header(resp, "Cache-Control", "no-store");
    grantd_response_header(resp, "Pragma", "no-cache");
}

void grantd_response_json_text(struct grantd_request *req, struct grantd_response *resp,
                               unsigned status, const char *text, size_t len)
{
    (void)req;
    grantd_response_body(resp, status, "application/json", text, len);
}

void grantd_response_json(struct grantd_request *req, struct grantd_response *resp,
                          unsigned status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        abort();
    size_t len = strlen(text);
    const char *copy = grantd_arena_strndup(req->arena, text, len);
    free(text);
    json_decref(body);
    grantd_response_json_text(req, resp, status, copy, len);
}

void grantd_response_error(struct grantd_request *req, struct grantd_response *resp,
                           unsigned status, const char *error, const char *description)
{
    json_t *body = json_pack("{s:s}", "error", error);
    if (description)
        json_object_set_new(body, "error_description", json_string(description));
    grantd_response_json(req, resp, status, body);
}

void grantd_response_internal(struct grantd_request *req, struct grantd_response *resp,
                              grantd_rc rc)
{
    grantd_log(GRANTD_LOG_ERROR, "internal_error", "{s:s,s:s,s:s}", "request_id",
               req->request_id, "path", req->path, "error", grantd_strerror(rc));
    if (rc == GRANTD_EBUSY) {
        grantd_response_error(req, resp, 503, "temporarily_unavailable",
                              "The server is busy; retry shortly.");
        grantd_response_header(resp, "Retry-After", "1");
        return;
    }
    grantd_response_error(req, resp, 500, "server_error", "The server failed to handle the request.");
}

void grantd_response_bad_params(struct grantd_request *req, struct grantd_response *resp,
                                grantd_rc rc, const char *why)
{
    if (!why)
        why = grantd_strerror(rc);
    grantd_response_error(req, resp, 400, "invalid_request", why);
}
