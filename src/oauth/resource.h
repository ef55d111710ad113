/* Resource indicators (RFC 8707): the `resource` parameters of an authorization or token
 * request, each naming an API the token is to be for, checked against what the request may
 * ask for. Lists of resources are space-separated absolute URIs, like scopes (store.h).
 *
 * Not here: where the allowed set comes from (the client at /authorize and for client
 * credentials, the code or the refresh token at /token: the grants), or what the token's
 * audience becomes (token_issue.c). */
#ifndef GRANTD_OAUTH_RESOURCE_H
#define GRANTD_OAUTH_RESOURCE_H

#include <stddef.h>

#include "core/mem.h"
#include "http/params.h"

#define GRANTD_RESOURCE_MAX 16        /* resources one request or one client may name */
#define GRANTD_RESOURCE_MAX_LEN 2048  /* bytes of one resource */

/* Why uri is not a resource indicator, or NULL when it is: RFC 8707 §2 wants an absolute
 * URI (RFC 3986 §4.3: scheme ":" and more) without a fragment; grantd also refuses
 * characters a URI cannot hold (spaces, controls, '"', '\', '<', '>', non-ASCII) and more
 * than GRANTD_RESOURCE_MAX_LEN bytes. Static English text. Also used at registration. */
const char *grantd_resource_problem(const char *uri);

/* Reads the resource parameters of p (each occurrence; an empty one is absent) and checks
 * them: each a resource indicator, at most GRANTD_RESOURCE_MAX distinct ones, each a member
 * of allowed (space-separated; NULL or "" allows none). NULL when they pass, with *out the
 * distinct ones in order, space-joined, in arena a ("" when the request named none); else
 * why not, for an invalid_target refusal (arena text naming the resource). */
const char *grantd_resource_select(struct grantd_arena *a, const struct grantd_params *p,
                                   const char *allowed, const char **out);

/* 1 when want is one of the space-separated list. */
int grantd_resource_in(const char *want, const char *list);

#endif
