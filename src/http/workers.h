/* A small pool of threads for slow handlers (argon2id at login), so they never occupy the
 * libmicrohttpd I/O threads that answer token and health requests (docs/architecture.md). */
#ifndef GRANTD_HTTP_WORKERS_H
#define GRANTD_HTTP_WORKERS_H

struct grantd_workers;

/* Starts n threads (at least 1). */
struct grantd_workers *grantd_workers_new(unsigned n);

/* Queues fn(arg) for a worker. Returns 1, or 0 when the pool is stopping: then the job was
 * not queued and the caller runs it itself. */
int grantd_workers_submit(struct grantd_workers *w, void (*fn)(void *), void *arg);

/* Runs every queued job, joins the threads and frees the pool. NULL is a no-op. */
void grantd_workers_free(struct grantd_workers *w);

#endif
