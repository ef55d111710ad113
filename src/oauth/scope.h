/* Scope strings (RFC 6749 §3.3): space-separated scope-tokens, order irrelevant. */
#ifndef GRANTD_OAUTH_SCOPE_H
#define GRANTD_OAUTH_SCOPE_H

#include <stddef.h>

#include "core/error.h"
#include "core/mem.h"

#define GRANTD_SCOPE_MAX_TOKENS 64

/* Splits s into at most GRANTD_SCOPE_MAX_TOKENS distinct tokens (arena strings), in first
 * appearance order. Tokens are separated by single or repeated spaces; each must be a
 * scope-token (printable ASCII except '"' and '\'). GRANTD_EINVAL for a bad character,
 * GRANTD_ETOOBIG for too many tokens. s NULL or "" gives zero tokens. */
GRANTD_MUST_USE grantd_rc grantd_scope_split(struct grantd_arena *a, const char *s,
                                             const char ***tokens, size_t *count);

/* 1 when every token of requested (already split) occurs in the space-separated allowed. */
int grantd_scope_covered(const char *const *requested, size_t count, const char *allowed);

/* Splits asked (grantd_scope_split) and checks that allowed covers every token. NULL when
 * it does (*tokens and *count set); else why not, for error_description, naming the first
 * scope refused (arena text). */
const char *grantd_scope_refusal(struct grantd_arena *a, const char *asked, const char *allowed,
                                 const char ***tokens, size_t *count);

/* The tokens joined with single spaces (arena string; "" for none). */
const char *grantd_scope_join(struct grantd_arena *a, const char *const *tokens, size_t count);

#endif
