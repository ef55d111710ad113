/* Turning the raw request-target and body into the parameter views handlers read. */
#include "http/request_build.h"

#include <string.h>
#include <strings.h>

#include "http/app.h"

enum grantd_body_kind grantd_body_kind_of(const char *content_type)
{
    if (!content_type)
        return GRANTD_BODY_NONE;
    const char *p = content_type;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, "; \t");
    if (n == 33 && strncasecmp(p, "application/x-www-form-urlencoded", n) == 0)
        return GRANTD_BODY_FORM;
    if (n == 16 && strncasecmp(p, "application/json", n) == 0)
        return GRANTD_BODY_JSON;
    return GRANTD_BODY_OTHER;
}

int grantd_content_type_utf8(const char *content_type)
{
    const char *p = content_type ? strchr(content_type, ';') : NULL;
    int ok = 1;
    while (p) {
        p += 1 + strspn(p + 1, " \t");
        const char *name = p;
        size_t name_len = strcspn(p, "=; \t");
        p += name_len + strspn(p + name_len, " \t");
        if (*p != '=') { /* not a parameter: skipped */
            p = strchr(p, ';');
            continue;
        }
        p += 1 + strspn(p + 1, " \t");
        const char *value = p + (*p == '"');
        size_t len = strcspn(value, *p == '"' ? "\"" : "; \t");
        p = value + len + (*p == '"' && value[len] == '"');
        /* every charset parameter counts: a second one cannot smuggle another encoding in */
        if (name_len == 7 && strncasecmp(name, "charset", 7) == 0)
            ok = ok && len == 5 && strncasecmp(value, "utf-8", 5) == 0;
        p = strchr(p, ';');
    }
    return ok;
}

static void fill_target(struct grantd_request *req, const char *raw_uri)
{
    const char *q = strchr(raw_uri, '?');
    size_t path_len = q ? (size_t)(q - raw_uri) : strlen(raw_uri);
    req->path = grantd_arena_strndup(req->arena, raw_uri, path_len);
    req->query_rc = GRANTD_OK;
    req->raw_query = "";
    if (q && q[1]) {
        /* a fragment never reaches a server; if one does, it is not part of the query */
        size_t qlen = strcspn(q + 1, "#");
        req->raw_query = grantd_arena_strndup(req->arena, q + 1, qlen);
        req->query_rc = grantd_form_parse(req->arena, q + 1, qlen, &req->app->limits, &req->query,
                                          &req->query_why);
    }
}

static void fill_body(struct grantd_request *req, const char *body, size_t body_len)
{
    req->body = grantd_arena_strndup(req->arena, body ? body : "", body ? body_len : 0);
    req->body_len = body ? body_len : 0;
    req->body_kind = grantd_body_kind_of(grantd_request_header(req, "content-type"));
    if (req->body_kind == GRANTD_BODY_NONE && req->body_len)
        req->body_kind = GRANTD_BODY_OTHER;
    req->form_rc = GRANTD_OK;
    int parsed = req->body_kind == GRANTD_BODY_FORM || req->body_kind == GRANTD_BODY_JSON;
    if (parsed && !grantd_content_type_utf8(grantd_request_header(req, "content-type"))) {
        /* bytes of another charset read as UTF-8 would be other characters than were sent */
        req->form_rc = GRANTD_EINVAL;
        req->form_why = "the body's charset must be UTF-8";
        return;
    }
    if (req->body_kind == GRANTD_BODY_FORM)
        req->form_rc = grantd_form_parse(req->arena, req->body, req->body_len, &req->app->limits,
                                         &req->form, &req->form_why);
    else if (req->body_kind == GRANTD_BODY_JSON)
        req->form_rc = grantd_json_params_parse(req->arena, req->body, req->body_len,
                                                &req->app->limits, &req->form, &req->form_why);
}

void grantd_request_fill(struct grantd_request *req, const char *raw_uri, const char *body,
                         size_t body_len)
{
    fill_target(req, raw_uri);
    fill_body(req, body, body_len);
}
