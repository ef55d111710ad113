/* The audit trail's recording side and the JSON of an entry (admin/audit.h). Not here: the
 * store's unit (store/sqlite_audit.c), the endpoint and the CLI command that list it. */
#include "admin/audit.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/api.h"
#include "core/events.h"

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

struct grantd_actor grantd_audit_cli(struct grantd_arena *a)
{
    uid_t uid = geteuid();
    struct passwd pw, *found = NULL;
    char buf[1024];
    struct grantd_actor who = {"cli", grantd_arena_printf(a, "%lu", (unsigned long)uid), NULL};
    if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found && found->pw_name)
        who.name = grantd_arena_strdup(a, found->pw_name);
    return who;
}

struct grantd_actor grantd_audit_developer(const struct grantd_user *u)
{
    struct grantd_actor who = {"developer", u->id, u->username};
    return who;
}

struct grantd_actor grantd_audit_system(void)
{
    struct grantd_actor who = {"system", NULL, NULL};
    return who;
}

struct grantd_actor grantd_audit_registration(const char *initial_token_id)
{
    struct grantd_actor who = {"registration", initial_token_id, NULL};
    return who;
}

struct grantd_actor grantd_audit_client(const char *client_id)
{
    struct grantd_actor who = {"client", client_id, NULL};
    return who;
}

grantd_rc grantd_audit_end(struct grantd_store *s, const struct grantd_actor *who,
                           int64_t tenant, int64_t now, const char *action,
                           const char *target_kind, const char *target_id, json_t *details,
                           grantd_rc rc)
{
    char *text = details && rc == GRANTD_OK ? json_dumps(details, JSON_COMPACT) : NULL;
    struct grantd_audit e = {
        .tenant = tenant,
        .at = now,
        .actor_kind = who->kind,
        .actor_id = who->id,
        .actor_name = who->name,
        .action = action,
        .target_kind = target_kind,
        .target_id = target_id,
        .details = text,
    };
    rc = grantd_store_audit_end(s, &e, rc);
    if (rc == GRANTD_OK)
        grantd_audit_emit(&e);
    free(text);
    json_decref(details);
    return rc;
}

void grantd_audit_emit(const struct grantd_audit *e)
{
    if (!grantd_events_on())
        return;
    char type[64];
    snprintf(type, sizeof(type), "%s_changed", e->target_kind ? e->target_kind : "audit");
    int user = e->target_kind && strcmp(e->target_kind, "user") == 0;
    int client = e->target_kind && strcmp(e->target_kind, "client") == 0;
    struct grantd_event_who who = {
        .subject = user ? e->target_id : NULL,
        .client = client ? e->target_id : NULL,
    };
    json_t *details = e->details && *e->details ? json_loads(e->details, 0, NULL) : NULL;
    if (!json_is_object(details)) {
        json_decref(details);
        details = json_null();
    }
    json_t *extra = json_pack("{s:s,s:I,s:{s:s,s:o,s:o},s:{s:s,s:o},s:o}", "action",
                              e->action, "tenant", (json_int_t)e->tenant, "actor", "kind",
                              e->actor_kind, "id", text_or_null(e->actor_id), "name",
                              text_or_null(e->actor_name), "target", "kind",
                              e->target_kind ? e->target_kind : "", "id",
                              text_or_null(e->target_id), "details", details);
    grantd_events_emit(type, &who, extra);
}

struct grantd_audit grantd_audit_entry(struct grantd_arena *a, const struct grantd_actor *who,
                                       int64_t now, const char *action, json_t *details)
{
    char *text = details ? json_dumps(details, JSON_COMPACT) : NULL;
    struct grantd_audit e = {.at = now, .actor_kind = who->kind, .actor_id = who->id,
                             .actor_name = who->name, .action = action,
                             .details = text ? grantd_arena_strdup(a, text) : NULL};
    free(text);
    json_decref(details);
    return e;
}

json_t *grantd_audit_members(const char *body, size_t len)
{
    json_t *obj = !body || len == 0 ? json_object()
                                    : json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return NULL;
    }
    json_t *names = json_array();
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
        json_array_append_new(names, json_string(key));
    json_decref(obj);
    return json_pack("{s:o}", "members", names);
}

json_t *grantd_audit_client_created(const struct grantd_client *c)
{
    json_t *o = json_pack("{s:s,s:b}", "client_name", c->name ? c->name : "", "public",
                          c->is_public);
    if (o && c->post_logout_redirect_uris && *c->post_logout_redirect_uris)
        json_object_set_new(o, "post_logout_redirect_uris",
                            grantd_api_words_json(c->post_logout_redirect_uris));
    if (o && c->id_token_alg && *c->id_token_alg)
        json_object_set_new(o, "id_token_signed_response_alg", json_string(c->id_token_alg));
    return o;
}

#define SEQ_DIGITS_MAX 18

static const char *const target_kinds[] = {"client", "user", "key", "admin_key",
                                           "registration_token"};

static int parse_target(struct grantd_arena *a, const char *text, struct grantd_audit_query *q)
{
    const char *colon = strchr(text, ':');
    if (!colon || !colon[1] || strlen(colon + 1) > GRANTD_AUDIT_TARGET_MAX)
        return 0;
    size_t len = (size_t)(colon - text);
    for (size_t i = 0; i < sizeof(target_kinds) / sizeof(target_kinds[0]); i++)
        if (strlen(target_kinds[i]) == len && strncmp(text, target_kinds[i], len) == 0) {
            q->target_kind = target_kinds[i];
            q->target_id = grantd_arena_strdup(a, colon + 1);
            return 1;
        }
    return 0;
}

static int parse_after(const char *text, struct grantd_audit_query *q)
{
    size_t n = strlen(text);
    if (n < 1 || n > SEQ_DIGITS_MAX || strspn(text, "0123456789") != n)
        return 0;
    q->after = 0;
    for (size_t i = 0; i < n; i++)
        q->after = q->after * 10 + (text[i] - '0');
    return 1;
}

grantd_rc grantd_audit_query_parse(struct grantd_arena *a, const char *after, const char *target,
                                   struct grantd_audit_query *q, const char **why)
{
    if (after && !parse_after(after, q)) {
        *why = "after must be the next value of the page before (a number)";
        return GRANTD_EINVAL;
    }
    if (target && !parse_target(a, target, q)) {
        *why = "target must be KIND:ID, KIND one of client, user, key, admin_key";
        return GRANTD_EINVAL;
    }
    return GRANTD_OK;
}


json_t *grantd_audit_json(const struct grantd_audit *e, const char *tenant_name)
{
    json_t *details = e->details ? json_loads(e->details, 0, NULL) : NULL;
    if (!json_is_object(details)) {
        json_decref(details);
        details = json_null();
    }
    return json_pack("{s:I,s:I,s:o,s:{s:s,s:o,s:o},s:s,s:{s:s,s:s},s:o}", "seq",
                     (json_int_t)e->seq, "at", (json_int_t)e->at, "tenant",
                     text_or_null(tenant_name), "actor", "kind", e->actor_kind, "id",
                     text_or_null(e->actor_id), "name", text_or_null(e->actor_name), "action",
                     e->action, "target", "kind", e->target_kind, "id", e->target_id,
                     "details", details);
}
