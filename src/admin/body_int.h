/* Internal to the admin API's body parsers (body.c, body_user.c): what they share. */
#ifndef GRANTD_ADMIN_BODY_INT_H
#define GRANTD_ADMIN_BODY_INT_H

#include <stddef.h>

#include <jansson.h>

#include "core/mem.h"

/* The body as a JSON object (an empty body is {}; duplicate members refused); NULL with
 * *why when it is none. */
json_t *grantd_body__load(const char *body, size_t len, const char **why);
/* "unknown member NAME" (quoted when the name needs it), in a. */
const char *grantd_body__unknown_member(struct grantd_arena *a, const char *name);
/* v's string copied into a; NULL when v is no string. */
const char *grantd_body__string_of(struct grantd_arena *a, json_t *v);

#endif
