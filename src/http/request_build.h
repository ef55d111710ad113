/* Internal to http/: filling a grantd_request from the raw request line and body. Pure (no
 * MHD), so it is unit-testable. */
#ifndef GRANTD_HTTP_REQUEST_BUILD_H
#define GRANTD_HTTP_REQUEST_BUILD_H

#include "http/request.h"

/* Sets path and query from raw_uri (the request-target as received), and body, body_kind
 * and form from the body bytes and the Content-Type header already in req->headers. Parse
 * failures are recorded in query_rc/form_rc with a reason; the handler decides the answer.
 * req->arena, req->app and req->headers must be set. */
void grantd_request_fill(struct grantd_request *req, const char *raw_uri, const char *body,
                         size_t body_len);

/* Classifies a Content-Type header value by its media type (parameters such as charset are
 * ignored; case-insensitive). NULL is GRANTD_BODY_NONE. */
enum grantd_body_kind grantd_body_kind_of(const char *content_type);

/* 1 when a Content-Type value (NULL: none) has no charset parameter or only charset=utf-8
 * (any case, quoted or not); 0 for any other charset. A form or JSON body labelled with
 * another charset is refused (form_rc GRANTD_EINVAL) rather than read as if it were UTF-8:
 * grantd decodes no other charset. A parameter without '=' is skipped. */
int grantd_content_type_utf8(const char *content_type);

#endif
