/* The janitor: a thread of `grantd serve` that deletes expired sessions, codes and tokens
 * every GRANTD_JANITOR_INTERVAL seconds, so the database does not grow without end. Rows
 * are kept GRANTD_JANITOR_KEEP seconds past their expiry (a late replay of a code still
 * finds it and revokes what it issued). Never-expiring refresh tokens stay. It also purges
 * the revocation feed's events older than revocation_feed_retention seconds (a reader whose
 * cursor is older is told so: 410). The first purge runs at start. */
#ifndef GRANTD_CLI_JANITOR_H
#define GRANTD_CLI_JANITOR_H

#include "store/store.h"

#define GRANTD_JANITOR_INTERVAL 60
#define GRANTD_JANITOR_KEEP 3600

struct grantd_janitor;

/* Starts the thread; NULL if it could not start (logged; serving goes on without it).
 * feed_retention: seconds the revocation feed keeps an event. */
struct grantd_janitor *grantd_janitor_start(struct grantd_store *s, int64_t (*now)(void),
                                            int64_t feed_retention);
/* Stops and joins it. NULL is a no-op. */
void grantd_janitor_stop(struct grantd_janitor *j);

#endif
