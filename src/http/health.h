/* Liveness and readiness probes for orchestrators and load balancers. */
#ifndef GRANTD_HTTP_HEALTH_H
#define GRANTD_HTTP_HEALTH_H

#include "http/request.h"

/* GET /health/live: 200 {"status":"ok"} while the process serves requests. */
void grantd_health_live(struct grantd_request *req, struct grantd_response *resp);
/* GET /health/ready: 200 when the database answers and is migrated, else 503. */
void grantd_health_ready(struct grantd_request *req, struct grantd_response *resp);

#endif
