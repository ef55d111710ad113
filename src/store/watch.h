/* The change watcher: a thread that follows a store's change sequence (store.h, "Changes")
 * and moves the process's generation when another process changed something, so that the
 * caches of stored records (oauth/token_cache.c, oauth/client_cache.c) drop what they read
 * before. A running server owns one (cli/serve.c); the CLI needs none. */
#ifndef GRANTD_STORE_WATCH_H
#define GRANTD_STORE_WATCH_H

#include "store/store.h"

/* How long a turn of the watcher waits for a change before it looks at its stop flag: what
 * grantd_store_watch_stop may take. */
#define GRANTD_STORE_WATCH_TURN_MS 100

struct grantd_store_watch;

/* Reads the change sequence of s now (a change committed after this returns is noticed)
 * and starts the watcher's thread; *out is the handle that stops it. s must outlive the
 * watcher. Errors: the store's, when the sequence cannot be read (the database is down or
 * not migrated); GRANTD_ESTORE when no thread can be started. A driver without change_seq
 * (GRANTD_ENOTSUP) is watched blind: the generation moves every GRANTD_STORE_CHANGE_POLL_MS,
 * so no cache entry outlives GRANTD_STORE_CHANGE_BOUND_MS. */
GRANTD_MUST_USE grantd_rc grantd_store_watch_start(struct grantd_store *s,
                                                   struct grantd_store_watch **out);
/* Stops the thread (within GRANTD_STORE_WATCH_TURN_MS) and frees w; NULL is fine. */
void grantd_store_watch_stop(struct grantd_store_watch *w);

#endif
