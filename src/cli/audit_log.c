/* The audit log thread (cli/audit_log.h): find where the file stops, then poll the trail
 * after that seq and append what is new. Not here: the entry's JSON (admin/audit.c). */
#include "cli/audit_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "admin/audit.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"

#define TAIL_BYTES 65536 /* the last line is within this much of the end */
#define BATCH 500
#define BATCH_BYTES_MAX (8u << 20) /* a batch of entries as lines: each is well under 8 KiB */

struct grantd_audit_log {
    struct grantd_store *store;
    int fd;
    int64_t after; /* the seq of the file's last entry */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    pthread_t thread;
};

/* The seq of the last line of fd's file (0 when it has none); -1 when that line is not an
 * entry. */
static int64_t last_seq(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    if (st.st_size == 0)
        return 0;
    off_t from = st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0;
    size_t len = (size_t)(st.st_size - from);
    char *buf = grantd_xmalloc(len + 1);
    ssize_t got = pread(fd, buf, len, from);
    int64_t seq = -1;
    if (got == (ssize_t)len) {
        buf[len] = '\0';
        while (len && buf[len - 1] == '\n')
            buf[--len] = '\0';
        char *line = strrchr(buf, '\n');
        json_t *o = json_loads(line ? line + 1 : buf, 0, NULL);
        json_t *v = json_object_get(o, "seq");
        if (json_is_integer(v) && json_integer_value(v) > 0)
            seq = json_integer_value(v);
        json_decref(o);
    }
    free(buf);
    return seq;
}

/* Appends entries (one write: the file gets whole lines). */
static grantd_rc append(struct grantd_audit_log *l, const struct grantd_audit *list, size_t n,
                        const struct grantd_tenant *tenants, size_t nt)
{
    struct grantd_buf out;
    grantd_rc rc = GRANTD_OK;
    grantd_buf_init(&out, BATCH_BYTES_MAX);
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++) {
        const char *tenant = NULL;
        for (size_t t = 0; t < nt; t++)
            if (tenants[t].id == list[i].tenant)
                tenant = tenants[t].name;
        json_t *o = grantd_audit_json(&list[i], tenant);
        char *line = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        rc = line ? grantd_buf_append(&out, line, strlen(line)) : GRANTD_EINVAL;
        if (rc == GRANTD_OK)
            rc = grantd_buf_append(&out, "\n", 1);
        free(line);
    }
    ssize_t w = rc == GRANTD_OK ? write(l->fd, out.data, out.len) : -1;
    if (rc == GRANTD_OK && (w != (ssize_t)out.len || fdatasync(l->fd) != 0)) {
        grantd_log(GRANTD_LOG_ERROR, "audit_log_failed", "{s:s}", "error", strerror(errno));
        rc = GRANTD_EIO;
    }
    grantd_buf_free(&out);
    return rc;
}

/* Appends everything after l->after, a batch at a time. */
static void drain(struct grantd_audit_log *l)
{
    struct grantd_arena *a = grantd_arena_new(16384);
    struct grantd_tenant *tenants = NULL;
    size_t nt = 0, n = 0;
    grantd_rc rc = GRANTD_OK;
    do {
        struct grantd_audit_query q = {.after = l->after, .limit = BATCH};
        struct grantd_audit *list = NULL;
        rc = grantd_store_audit_list(l->store, a, &q, &list, &n);
        if (rc == GRANTD_OK && n && !tenants)
            rc = grantd_store_tenant_list(l->store, a, &tenants, &nt);
        if (rc == GRANTD_OK && n)
            rc = append(l, list, n, tenants, nt);
        if (rc == GRANTD_OK && n)
            l->after = list[n - 1].seq;
    } while (rc == GRANTD_OK && n == BATCH);
    if (rc != GRANTD_OK && rc != GRANTD_EIO) /* EIO: append logged it */
        grantd_log(GRANTD_LOG_WARN, "audit_log_read_failed", "{s:s}", "error",
                   grantd_strerror(rc));
    grantd_arena_free(a);
}

static void *audit_log_main(void *arg)
{
    struct grantd_audit_log *l = arg;
    pthread_mutex_lock(&l->lock);
    while (!l->stopping) {
        pthread_mutex_unlock(&l->lock);
        drain(l);
        pthread_mutex_lock(&l->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += GRANTD_AUDIT_LOG_POLL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        int r = 0;
        while (!l->stopping && r != ETIMEDOUT)
            r = pthread_cond_timedwait(&l->wake, &l->lock, &until);
    }
    pthread_mutex_unlock(&l->lock);
    drain(l); /* what committed before the stop */
    return NULL;
}

grantd_rc grantd_audit_log_start(struct grantd_store *s, const char *path,
                                 struct grantd_audit_log **out, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "audit_log %s: %s", path, strerror(errno));
        return GRANTD_ECONFIG;
    }
    int64_t after = last_seq(fd);
    if (after < 0) {
        snprintf(err, errlen, "audit_log %s: its last line is not an audit entry (another "
                              "file? move it away)", path);
        close(fd);
        return GRANTD_ECONFIG;
    }
    struct grantd_audit_log *l = grantd_xcalloc(1, sizeof(*l));
    l->store = s;
    l->fd = fd;
    l->after = after;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
    if (pthread_create(&l->thread, NULL, audit_log_main, l) != 0) {
        snprintf(err, errlen, "audit_log: cannot start its thread");
        pthread_cond_destroy(&l->wake);
        pthread_mutex_destroy(&l->lock);
        close(fd);
        free(l);
        return GRANTD_ESTORE;
    }
    *out = l;
    return GRANTD_OK;
}

void grantd_audit_log_stop(struct grantd_audit_log *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stopping = 1;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    pthread_join(l->thread, NULL);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
    close(l->fd);
    free(l);
}

grantd_rc grantd_audit_log_reopen(struct grantd_audit_log *l, const char *path, char *err,
                                  size_t errlen)
{
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "audit_log %s: %s", path, strerror(errno));
        return GRANTD_EIO;
    }
    /* the number stays: a write of the thread's in flight lands whole in one file or the
     * other; the new file goes on after the entries written so far */
    int ok = dup2(fd, l->fd) >= 0 && fcntl(l->fd, F_SETFD, FD_CLOEXEC) == 0;
    if (!ok)
        snprintf(err, errlen, "audit_log %s: %s", path, strerror(errno));
    close(fd);
    return ok ? GRANTD_OK : GRANTD_EIO;
}
