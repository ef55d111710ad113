/* The audit trail's recording side, shared by everything that changes clients, users,
 * signing keys and admin keys: the admin API (actor: the admin key), the CLI (actor: the
 * OS user), the developer console (actor: the developer, grantd_audit_developer) and server
 * jobs (actor: system). A change is written as
 *
 *     grantd_rc rc = grantd_store_audit_begin(store);
 *     if (rc == GRANTD_OK)
 *         rc = grantd_audit_end(store, &who, tenant, now, "client.disable", "client", id,
 *                               NULL, grantd_store_client_set_disabled(...));
 *
 * so that the change and its entry are one transaction (store.h, audit_begin): neither is
 * stored without the other, and a change that failed records nothing. Keep between the two
 * only the store writes of the change: hash passwords and make secrets before.
 *
 * Also here: an entry as JSON, the one shape of `grantd audit list --json`, the admin API's
 * GET .../audit and the audit_log file. Not here: the store (store/), the HTTP endpoint
 * (audit_api.c), the file (audit_log.c). Entries never hold a secret, a hash or a password:
 * details name what changed, not the values of credentials. */
#ifndef GRANTD_ADMIN_AUDIT_H
#define GRANTD_ADMIN_AUDIT_H

#include <stdint.h>

#include <jansson.h>

#include "core/mem.h"
#include "store/store.h"

/* Who made a change: kind "admin_key", "developer", "cli", "system", "registration" or
 * "client"; id and name as in struct grantd_audit. Strings borrowed. */
struct grantd_actor {
    const char *kind, *id, *name;
};

/* The actor of the CLI: the OS user running it (getpwuid(geteuid())): id its uid in decimal,
 * name its login name (NULL when the system has none for the uid). Strings in a. */
struct grantd_actor grantd_audit_cli(struct grantd_arena *a);
/* The actor of the developer console: the signed-in developer u (id, username). */
struct grantd_actor grantd_audit_developer(const struct grantd_user *u);
/* The actor of a server job ("system"; no id, no name). */
struct grantd_actor grantd_audit_system(void);
/* The actor of dynamic client registration's POST /register ("registration"): id the
 * initial access token's id, NULL when registration is open. */
struct grantd_actor grantd_audit_registration(const char *initial_token_id);
/* The actor of a client managing its own registration (RFC 7592, "client"): id its id. */
struct grantd_actor grantd_audit_client(const char *client_id);

/* Ends the unit that grantd_store_audit_begin opened: when rc is GRANTD_OK, appends the entry
 * (tenant: 0 for an admin key of every tenant; at = now; details: a JSON object, may be
 * NULL, always consumed) and commits; otherwise undoes the change. Returns rc or the
 * store's failure to record (then nothing was stored). */
GRANTD_MUST_USE grantd_rc grantd_audit_end(struct grantd_store *s, const struct grantd_actor *who,
                                           int64_t tenant, int64_t now, const char *action,
                                           const char *target_kind, const char *target_id,
                                           json_t *details, grantd_rc rc);

/* Writes the audit event of a stored entry e (core/events.h, docs/events.md): event
 * "<target kind>_changed" with action, actor, tenant and details; subject the user for a user
 * target, client the client for a client target. Address, request id and issuer come from
 * the thread's event scope (the admin API's and the console's request), else null (the CLI).
 * grantd_audit_end calls it for what it stored; callers of grantd_keys_rotate_audited call
 * it after a rotation succeeded. */
void grantd_audit_emit(const struct grantd_audit *e);

/* An entry of who doing action at now, with details (a JSON object, consumed; may be NULL)
 * as text in a: for operations that take the entry whole and set its tenant and target
 * themselves (grantd_keys_rotate_audited, token/keys.h). */
struct grantd_audit grantd_audit_entry(struct grantd_arena *a, const struct grantd_actor *who,
                                       int64_t now, const char *action, json_t *details);

/* The member names of a JSON object body (an update's), as {"members": [...]}: what an
 * update changed, never the values. An empty body (which the admin API reads as {}) gives
 * {"members": []}; NULL when body is not a JSON object. */
json_t *grantd_audit_members(const char *body, size_t len);

/* The details of a client.create entry: {"client_name", "public"}, plus the OpenID Connect
 * settings when the client has them (post_logout_redirect_uris, an array, when not empty;
 * id_token_signed_response_alg when one was chosen). One shape for the CLI, the admin API,
 * the developer console and /register. */
json_t *grantd_audit_client_created(const struct grantd_client *c);

/* The admin API's audit query parameters (untrusted text, already percent-decoded; NULL when
 * absent) into q: after, an entry's seq (1 to 18 digits), into q->after; target, KIND:ID with KIND
 * one of client, user, key, admin_key, registration_token and ID 1 to GRANTD_AUDIT_TARGET_MAX
 * bytes, into q->target_kind (a static string) and q->target_id (a copy in a). GRANTD_EINVAL with
 * *why naming the parameter when one is malformed; q's other members are left alone. */
#define GRANTD_AUDIT_TARGET_MAX 200
GRANTD_MUST_USE grantd_rc grantd_audit_query_parse(struct grantd_arena *a, const char *after,
                                                   const char *target,
                                                   struct grantd_audit_query *q,
                                                   const char **why);

/* An entry as the JSON object every output shows: seq, at, tenant (tenant_name, or null),
 * actor {kind, id, name}, action, target {kind, id}, details (an object or null). */
json_t *grantd_audit_json(const struct grantd_audit *e, const char *tenant_name);

#endif
