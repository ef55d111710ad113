/* Aborting allocators and the bump arena. The arena is a list of chunks; a request's data
 * lives in one arena that is freed when the request ends. */
#include "core/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "grantd: out of memory allocating %zu bytes\n", n);
    abort();
}

void *grantd_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *grantd_xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        oom(count * n);
    return p;
}

void *grantd_xrealloc(void *old, size_t n)
{
    void *p = realloc(old, n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

char *grantd_xstrndup(const char *s, size_t n)
{
    char *p = grantd_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *grantd_xstrdup(const char *s)
{
    return grantd_xstrndup(s, strlen(s));
}

struct chunk {
    struct chunk *next;
    size_t size, used;
    max_align_t data[];
};

struct grantd_arena {
    struct chunk *head;
    size_t chunk_size;
    size_t total;
};

#define ALIGN (_Alignof(max_align_t))

static struct chunk *chunk_new(size_t size)
{
    struct chunk *c = grantd_xmalloc(sizeof(*c) + size);
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

struct grantd_arena *grantd_arena_new(size_t chunk_size)
{
    struct grantd_arena *a = grantd_xcalloc(1, sizeof(*a));
    a->chunk_size = chunk_size < 256 ? 256 : chunk_size;
    a->head = chunk_new(a->chunk_size);
    return a;
}

void grantd_arena_free(struct grantd_arena *a)
{
    if (!a)
        return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void grantd_arena_reset(struct grantd_arena *a)
{
    struct chunk *c = a->head;
    while (c->next) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    /* keep the last chunk in the list: it is the oldest, sized chunk_size or more */
    c->used = 0;
    a->head = c;
    a->total = 0;
}

void *grantd_arena_alloc(struct grantd_arena *a, size_t n)
{
    if (n > SIZE_MAX - ALIGN)
        oom(n);
    size_t rounded = (n + ALIGN - 1) & ~(ALIGN - 1);
    struct chunk *c = a->head;
    if (c->size - c->used < rounded) {
        size_t size = rounded > a->chunk_size ? rounded : a->chunk_size;
        c = chunk_new(size);
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += rounded;
    a->total += rounded;
    memset(p, 0, n);
    return p;
}

char *grantd_arena_strndup(struct grantd_arena *a, const char *s, size_t n)
{
    char *p = grantd_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *grantd_arena_strdup(struct grantd_arena *a, const char *s)
{
    return grantd_arena_strndup(a, s, strlen(s));
}

char *grantd_arena_printf(struct grantd_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    char *p = grantd_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t grantd_arena_used(const struct grantd_arena *a)
{
    return a->total;
}
