/* Allocation that aborts on exhaustion (running out of memory is no state to carry on in), and a
 * per-request bump arena freed once. Arena memory is never freed piecemeal. */
#ifndef GRANTD_CORE_MEM_H
#define GRANTD_CORE_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *grantd_xmalloc(size_t n);
void *grantd_xcalloc(size_t count, size_t n);
void *grantd_xrealloc(void *p, size_t n);
char *grantd_xstrdup(const char *s);
char *grantd_xstrndup(const char *s, size_t n);

struct grantd_arena;

/* A new arena whose chunks are at least chunk_size bytes. Free with grantd_arena_free. */
struct grantd_arena *grantd_arena_new(size_t chunk_size);
void grantd_arena_free(struct grantd_arena *a);
/* Forget every allocation but keep the first chunk for reuse. */
void grantd_arena_reset(struct grantd_arena *a);
/* n bytes aligned for any type, zeroed. Never NULL. */
void *grantd_arena_alloc(struct grantd_arena *a, size_t n);
/* Copies NUL-terminated. grantd_arena_strndup copies at most n bytes and terminates. */
char *grantd_arena_strdup(struct grantd_arena *a, const char *s);
char *grantd_arena_strndup(struct grantd_arena *a, const char *s, size_t n);
char *grantd_arena_printf(struct grantd_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Bytes handed out so far (for caps and tests). */
size_t grantd_arena_used(const struct grantd_arena *a);

#endif
