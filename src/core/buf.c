/* Capped growable buffer. */
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void grantd_buf_init(struct grantd_buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

grantd_rc grantd_buf_append(struct grantd_buf *b, const void *p, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return GRANTD_ETOOBIG;
    if (b->len + n + 1 > b->alloc) {
        size_t want = b->alloc ? b->alloc : 256;
        while (want < b->len + n + 1)
            want *= 2;
        if (want > b->max + 1)
            want = b->max + 1;
        b->data = grantd_xrealloc(b->data, want);
        b->alloc = want;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return GRANTD_OK;
}

void grantd_buf_free(struct grantd_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}
