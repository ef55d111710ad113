/* The argument checks of the store's wrappers (store.c): what a record must hold before any
 * driver sees it, decided once for every driver. A driver may assume them (store.h, "Argument
 * checks"). Not here: checks that depend on what is stored (a token's family, a unit on this
 * thread, a unique key), which stay in each driver; NULL checks of single parameters, which
 * the wrappers make inline. Not an interface: store.c and the drivers' files include it. */
#ifndef GRANTD_STORE_STORE_CHECK_H
#define GRANTD_STORE_STORE_CHECK_H

#include "store/store.h"

/* Each is 1 when its arguments pass, else 0 (the wrapper answers GRANTD_EINVAL). */

/* At least one token; all of one tenant and family; each with a client, a known kind and a
 * created_at. */
int store__tokens_ok(const struct grantd_token *t, size_t count);
/* client_id, user_id, family and created_at; a challenge goes with its method. */
int store__code_ok(const struct grantd_code *k);
/* refresh_rotate: the old hash, now > 0 (rotated_at 0 means "not rotated"), a valid batch of
 * tenant, a successor given when its length is. */
int store__rotate_ok(int64_t tenant, const unsigned char *old_hash, int64_t now,
                     const unsigned char *successor, size_t successor_len,
                     const struct grantd_token *tokens, size_t count);
/* client_put: id, name, created_at, tokens_after, lifetimes 0 or positive (refresh_ttl
 * also GRANTD_TTL_NEVER), every redirect URI given. */
int store__client_put_ok(const struct grantd_client *c);
/* client_update: as client_put without created_at and tokens_after, and now > 0. */
int store__client_update_ok(const struct grantd_client *c, int64_t now);
/* kid, alg, public JWK, sealed private key (1 byte to 2^31 - 1), created_at. */
int store__key_ok(const struct grantd_key *k);
/* the audit entry of audit_end: at, tenant >= 0, actor kind, action, target kind, target id */
int store__audit_ok(const struct grantd_audit *e);
/* audit_list: tenant >= 0; a target kind goes with a target id and names a tenant. */
int store__audit_query_ok(const struct grantd_audit_query *q);
/* registration_put: a valid new client and its registration, of its tenant and id. */
int store__registration_put_ok(const struct grantd_client *c,
                               const struct grantd_registration *r, int64_t now);
/* registration_rotate: the registration, its client id, the old hash, now > 0; a client
 * given with it is a valid update of that registration's client. */
int store__registration_rotate_ok(const struct grantd_client *c,
                                  const struct grantd_registration *r,
                                  const unsigned char *old_hash, int64_t now);

#endif
