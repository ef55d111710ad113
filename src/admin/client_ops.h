/* The changes to a client that more than one front end makes — the admin API
 * (admin/clients.c) and the developer console (oauth/console.c) — each with its audit entry
 * in the same transaction (admin/audit.h), so that a client is created, rotated, disabled,
 * enabled and deleted one way whoever asks. The caller has checked the request (body
 * parsers, ownership) and answers it; nothing here knows HTTP or writes a log line.
 *
 * Secrets are written into the caller's buffer, which the caller wipes after answering.
 * Not here: parsing (admin/body.h), the record rules (admin/rules.h). */
#ifndef GRANTD_ADMIN_CLIENT_OPS_H
#define GRANTD_ADMIN_CLIENT_OPS_H

#include <stdint.h>

#include "admin/audit.h"
#include "admin/rules.h"
#include "store/store.h"

/* Stores the new client *c (from grantd_api_client_parse) in tenant: c->id, when NULL,
 * becomes a random one written into id; a confidential client gets a fresh secret (into
 * secret; "" for a public one); created_at, updated_at = now, tokens_after = this moment.
 * Audit action client.create by who. GRANTD_EEXIST when the id is taken. */
GRANTD_MUST_USE grantd_rc grantd_client_ops_create(struct grantd_store *s,
                                                   const struct grantd_actor *who,
                                                   int64_t tenant, int64_t now,
                                                   struct grantd_client *c, char id[32],
                                                   char secret[GRANTD_CLIENT_SECRET_LEN]);

/* A new secret for the stored client c (into secret; "" for a public client, which only an
 * enable accepts). enable 0: a rotation (client.secret_rotate), the old secret working
 * overlap seconds more; enable 1: the old secret gone and the client enabled
 * (client.enable). GRANTD_EINVAL for a rotation of a public client. */
GRANTD_MUST_USE grantd_rc grantd_client_ops_new_secret(struct grantd_store *s,
                                                       const struct grantd_actor *who,
                                                       int64_t now,
                                                       const struct grantd_client *c,
                                                       int enable, int64_t overlap,
                                                       char secret[GRANTD_CLIENT_SECRET_LEN]);

/* Disables (client.disable) the client id: its tokens, codes and consents revoked in the
 * same transaction, the revocation feed told (the store's client_set_disabled). */
GRANTD_MUST_USE grantd_rc grantd_client_ops_disable(struct grantd_store *s,
                                                    const struct grantd_actor *who,
                                                    int64_t tenant, int64_t now,
                                                    const char *id);

/* Deletes (client.delete) the client id. */
GRANTD_MUST_USE grantd_rc grantd_client_ops_delete(struct grantd_store *s,
                                                   const struct grantd_actor *who,
                                                   int64_t tenant, int64_t now,
                                                   const char *id);

/* Enable with a new identity: the stored client old is replaced by a new, enabled client
 * with its settings (owner included), a random id (into id) and a fresh secret (into
 * secret; "" for a public client), and old is deleted, in one transaction. Its audit entry
 * is client.enable on the new id, details naming the previous client_id. Nothing issued to
 * the old id works again (it was disabled; now it does not exist), so every user of the
 * application must authorize it again. */
GRANTD_MUST_USE grantd_rc grantd_client_ops_replace(struct grantd_store *s,
                                                    const struct grantd_actor *who,
                                                    int64_t now,
                                                    const struct grantd_client *old,
                                                    char id[32],
                                                    char secret[GRANTD_CLIENT_SECRET_LEN]);

#endif
