/* A growable byte buffer with a hard cap (curl's dynbuf). Going over the cap is
 * GRANTD_ETOOBIG, never a crash; the buffer is always NUL-terminated for convenience. */
#ifndef GRANTD_CORE_BUF_H
#define GRANTD_CORE_BUF_H

#include <stddef.h>

#include "core/error.h"

struct grantd_buf {
    char *data;   /* NULL until the first append; NUL-terminated after */
    size_t len;
    size_t alloc;
    size_t max;   /* the cap on len */
};

void grantd_buf_init(struct grantd_buf *b, size_t max);
GRANTD_MUST_USE grantd_rc grantd_buf_append(struct grantd_buf *b, const void *p, size_t n);
void grantd_buf_free(struct grantd_buf *b);

#endif
