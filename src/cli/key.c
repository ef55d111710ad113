/* grantd key rotate | retire | list: the signing keys of one tenant (--tenant; else the
 * default one).
 *
 * `rotate` adds a key (token/keys.c does the work): published at once, signing from now +
 * keys.publish_ahead, while every current key of its alg stops signing then and stays published
 * until the longest-lived access token it may have signed has expired. Each alg is a chain of its
 * own: access tokens are signed by keys.alg's, OpenID Connect ID tokens by the one their client
 * asks for (the first RS256 key is made when first needed). A running server sees the change within
 * keys.reload seconds. `retire KID` retires a key now (a key that leaked): it is no longer
 * published, the server refuses tokens it signed, and the revocation feed carries a "key" event so
 * libgrantd-verify refuses them too; the key that signs now (in its alg's chain) is refused (rotate
 * first: a service must not be left without a signing key), and the command returns once every
 * running server has seen the change (the caches' bound). `revoke KID` is retire for any
 * key, the one that signs now included: that one is replaced by a new key in the same
 * transaction (token/keys_rotate.c, grantd_keys_revoke). `list` shows each key's state:
 *   next      published, signs from active_from (later)
 *   active    the key of its alg that signs now
 *   retiring  no longer signs, still published until retire_at
 *   retired   past retire_at: no longer published */
#include <stdio.h>
#include <string.h>

#include "admin/audit.h"
#include "cli/admin.h"
#include "core/clock.h"
#include "token/keys.h"


#define COMMON_HELP                                                                          \
    "  --config FILE  configuration file\n"                                                  \
    "  --db URL       database URL (e.g. sqlite:grantd.db)\n"                                \
    "  --tenant NAME  the issuer (grantd tenant list; default: the default tenant)\n"        \
    "  --help         this text\n"

static const char rotate_usage[] =
    "Usage: grantd key rotate [--alg ES256|RS256] [--json] [--config FILE] [--db URL]\n\n"
    "Adds a new signing key of ALG. It is published in /jwks.json at once and signs from\n"
    "now + keys.publish_ahead; the current key of ALG stops signing then and stays\n"
    "published until the last token it signed has expired. Keys of the other alg are\n"
    "untouched: access tokens are signed with keys.alg's key, OpenID Connect ID tokens\n"
    "with the alg their client asks for. A running server picks the change up within\n"
    "keys.reload seconds. The private key is stored sealed under the master key\n"
    "(GRANTD_MASTER_KEY, keys.master_key, or the key file beside the database).\n\nOptions:\n"
    "  --alg ALG      ES256 (default: keys.alg) or RS256\n"
    "  --json         print the new key as one JSON object\n" COMMON_HELP;
static const char retire_usage[] =
    "Usage: grantd key retire [--config FILE] [--db URL] [--] KID\n\n"
    "Retires a key now, as for a key that leaked: it is no longer published in\n"
    "/jwks.json, every running server refuses the tokens it signed (/check, /introspect,\n"
    "/userinfo), and the revocation feed tells libgrantd-verify to refuse them too. The key\n"
    "that signs now (of its alg) cannot be retired: run `grantd key rotate --alg ALG`\n"
    "first (with\n"
    "keys.publish_ahead = 0 the new key signs at once), then retire the old one. A KID\n"
    "is the key's RFC 7638 thumbprint and may start with '-': put it after --.\n\n"
    "Options:\n" COMMON_HELP;
static const char revoke_usage[] =
    "Usage: grantd key revoke [--config FILE] [--db URL] [--] KID\n\n"
    "Revokes a key that leaked, at once: it is no longer published in /jwks.json, every\n"
    "running server refuses the tokens it signed (/check, /introspect, /userinfo), and the\n"
    "revocation feed tells libgrantd-verify to refuse them too. When it is the key that signs\n"
    "now (or the current key of its alg), a new key of its alg is made and signs from now,\n"
    "in the same database transaction: the issuer is never without a signing key. Prints\n"
    "the new key's kid when one was made. A KID may start with '-': put it after --.\n\n"
    "Options:\n" COMMON_HELP;
static const char list_usage[] =
    "Usage: grantd key list [--json] [--config FILE] [--db URL]\n\n"
    "Lists the signing keys, oldest first, with their alg and their state within that alg's\n"
    "keys: next (published, signs from ACTIVE_FROM), active (signs now), retiring\n"
    "(published until RETIRE_AT), retired.\n\n"
    "Options:\n"
    "  --json         print one JSON array of key objects\n" COMMON_HELP;

/* Parses [--json] and, for rotate, [--alg ALG]. GRANTD_EXIT_OK, -1 after --help, or a usage
 * error. */
static int parse(struct grantd_admin_args *a, int argc, char **argv, int rotate, int *json,
                 const char **alg)
{
    static const struct option list_opts[] = {
        GRANTD_ADMIN_COMMON_OPTIONS, {"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    static const struct option rotate_opts[] = {GRANTD_ADMIN_COMMON_OPTIONS,
                                                {"json", no_argument, NULL, 'j'},
                                                {"alg", required_argument, NULL, 'a'},
                                                {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = grantd_admin_getopt(a, argc, argv, rotate ? rotate_opts : list_opts)) != -1) {
        if (opt == GRANTD_ADMIN_STOP)
            return grantd_admin_stopped(a);
        if (opt == 'j') {
            *json = 1;
        } else if (opt == 'a') {
            if (*alg)
                return grantd_cli_usage_error(a->cmd, "--alg given twice");
            if (strcmp(optarg, "ES256") != 0 && strcmp(optarg, "RS256") != 0)
                return grantd_cli_usage_error(a->cmd, "unknown --alg '%.64s' (use ES256 or "
                                                      "RS256)", optarg);
            *alg = optarg;
        } else {
            return grantd_cli_usage_error(a->cmd, "unexpected option (see --help)");
        }
    }
    return grantd_admin_positionals(a, argc, argv, 0, 0, "");
}

static json_t *key_json(const struct grantd_key *k, const char *st)
{
    return json_pack("{s:s,s:s,s:I,s:I,s:o,s:s}", "kid", k->kid, "alg", k->alg, "created_at",
                     (json_int_t)k->created_at, "active_from", (json_int_t)k->active_from,
                     "retire_at", k->retire_at ? json_integer(k->retire_at) : json_null(),
                     "state", st);
}

/* A list of keys and the time their states are told for: print_list's context. */
static json_t *list_item(struct grantd_admin_session *s, const void *records, size_t n,
                         size_t i)
{
    const struct grantd_key *keys = records;
    return key_json(&keys[i], grantd_keys_state(keys, n, i, grantd_clock_now()));
}

static grantd_rc list_fetch(struct grantd_admin_session *s, void **records, size_t *n)
{
    return grantd_store_key_list(s->store, s->arena, s->tenant, (struct grantd_key **)records, n);
}

static void print_table(struct grantd_admin_session *s, const void *records, size_t n)
{
    const struct grantd_key *list = records;
    int64_t now = grantd_clock_now();
    char created[32], from[32], retire[32];
    printf("%-43s  %-5s  %-20s  %-20s  %-20s  %s\n", "KID", "ALG", "CREATED", "ACTIVE_FROM",
           "RETIRE_AT", "STATE");
    for (size_t i = 0; i < n; i++) {
        grantd_admin_format_time(list[i].created_at, created);
        grantd_admin_format_time(list[i].active_from, from);
        if (list[i].retire_at)
            grantd_admin_format_time(list[i].retire_at, retire);
        else
            snprintf(retire, sizeof(retire), "-");
        printf("%-43s  %-5s  %-20s  %-20s  %-20s  %s\n", list[i].kid, list[i].alg, created, from,
               retire, grantd_keys_state(list, n, i, now));
    }
}

static int key_list(int argc, char **argv)
{
    static const struct grantd_admin_lister lister = {list_fetch, list_item, print_table};
    struct grantd_admin_args a;
    int json = 0;
    grantd_admin_args_init(&a, "key list", list_usage);
    int rc = parse(&a, argc, argv, 0, &json, NULL);
    return grantd_admin_list(&a, rc, json, &lister);
}

/* Prints the new key (and, in text, when the previous ones retire). */
static int rotate_output(struct grantd_admin_session *s, const char *cmd, const char *kid,
                         int json, int64_t now)
{
    struct grantd_key *list = NULL;
    size_t n = 0;
    grantd_rc rc = grantd_store_key_list(s->store, s->arena, s->tenant, &list,
                                              &n);
    size_t i = 0;
    while (rc == GRANTD_OK && i < n && strcmp(list[i].kid, kid) != 0)
        i++;
    if (rc != GRANTD_OK || i == n)
        return grantd_admin_store_fail(cmd, "key added, but cannot read it back",
                                       rc != GRANTD_OK ? rc : GRANTD_ENOTFOUND);
    if (json) {
        grantd_admin_print_json(key_json(&list[i], grantd_keys_state(list, n, i, now)));
        return grantd_admin_finish(cmd, GRANTD_EXIT_OK);
    }
    char when[32];
    grantd_admin_print_kv("kid", list[i].kid);
    grantd_admin_print_kv("alg", list[i].alg);
    grantd_admin_format_time(list[i].active_from, when);
    grantd_admin_print_kv("active_from", when);
    grantd_admin_print_kv("state", grantd_keys_state(list, n, i, now));
    for (size_t j = 0; j < n; j++) {
        if (j == i || list[j].retire_at <= now || strcmp(list[j].alg, list[i].alg) != 0)
            continue;
        grantd_admin_format_time(list[j].retire_at, when);
        printf("previous key %s stays published until %s\n", list[j].kid, when);
    }
    return grantd_admin_finish(cmd, GRANTD_EXIT_OK);
}

static int key_rotate(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    const char *alg = NULL, *kid = NULL;
    int json = 0;
    char err[512];
    grantd_admin_args_init(&a, "key rotate", rotate_usage);
    int rc = grantd_admin_start(&s, &a, parse(&a, argc, argv, 1, &json, &alg));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    int64_t ttl = 0, now = grantd_clock_now();
    grantd_rc src = grantd_keys_max_access_ttl(s.store, s.arena, &s.cfg, s.tenant, &ttl);
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(a.cmd, "database", src);
        goto out;
    }
    struct grantd_actor who = grantd_audit_cli(s.arena);
    struct grantd_audit entry = grantd_audit_entry(s.arena, &who, now, "key.rotate",
                                                   alg ? json_pack("{s:s}", "alg", alg) : NULL);
    src = grantd_keys_rotate_audited(s.store, &s.cfg, s.tenant, alg, now, ttl, &entry, s.arena,
                                     &kid, err, sizeof(err));
    if (src != GRANTD_OK) {
        rc = grantd_admin_fail(a.cmd, "%s", err);
        goto out;
    }
    entry.tenant = s.tenant; /* as the stored entry (token/keys_rotate.c) */
    entry.target_kind = "key";
    entry.target_id = kid;
    grantd_audit_emit(&entry);
    rc = rotate_output(&s, a.cmd, kid, json, now);
out:
    return grantd_admin_end(&s, rc);
}

/* Parses one KID. GRANTD_EXIT_OK, -1 after --help, or a usage error. */
static int parse_kid(struct grantd_admin_args *a, int argc, char **argv, const char **kid)
{
    static const struct option opts[] = {GRANTD_ADMIN_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int opt = grantd_admin_getopt(a, argc, argv, opts);
    if (opt == GRANTD_ADMIN_STOP)
        return grantd_admin_stopped(a);
    if (opt != -1)
        return grantd_cli_usage_error(a->cmd, "unexpected option (see --help)");
    int rc = grantd_admin_positionals(a, argc, argv, 1, 1, "KID");
    if (rc == GRANTD_EXIT_OK)
        *kid = argv[optind];
    return rc;
}

/* The state of kid among the tenant's keys at now, and its alg; NULL when it has no such
 * key. */
static const char *state_of(struct grantd_admin_session *s, const char *kid, int64_t now,
                            const char **alg, grantd_rc *rc)
{
    struct grantd_key *list = NULL;
    size_t n = 0;
    *rc = grantd_store_key_list(s->store, s->arena, s->tenant, &list, &n);
    for (size_t i = 0; *rc == GRANTD_OK && i < n; i++)
        if (strcmp(list[i].kid, kid) == 0) {
            *alg = list[i].alg;
            return grantd_keys_state(list, n, i, now);
        }
    return NULL;
}

static int key_retire(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    const char *kid = NULL, *alg = "";
    grantd_admin_args_init(&a, "key retire", retire_usage);
    int rc = grantd_admin_start(&s, &a, parse_kid(&a, argc, argv, &kid));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    int64_t now = grantd_clock_now();
    grantd_rc src = GRANTD_OK;
    const char *st = state_of(&s, kid, now, &alg, &src);
    if (src == GRANTD_OK && st && strcmp(st, "active") == 0) {
        rc = grantd_admin_fail(a.cmd, "key %s signs now: run `grantd key rotate --alg %s` "
                                      "first, then retire it once the new key signs", kid, alg);
        goto out;
    }
    if (src == GRANTD_OK && !st)
        src = GRANTD_ENOTFOUND;
    if (src == GRANTD_OK)
        src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, -1, "key.retire", "key", kid, NULL,
                                     grantd_store_key_retire(s.store, s.tenant, kid, now));
    if (src == GRANTD_ENOTFOUND || src == GRANTD_ECONFLICT) {
        rc = grantd_admin_fail(a.cmd, src == GRANTD_ENOTFOUND ? "no key %s (grantd key list)"
                                      : "key %s is the current key: run `grantd key rotate "
                                        "--alg %s` first", kid, alg);
        goto out;
    }
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(a.cmd, "database", src);
        goto out;
    }
    grantd_admin_wait_caches();
    printf("key %s %s\n", kid, strcmp(st, "retired") == 0 ? "was retired already" : "retired");
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

static int key_revoke(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    const char *kid = NULL, *new_kid = NULL;
    int already = 0;
    char err[512];
    grantd_admin_args_init(&a, "key revoke", revoke_usage);
    int rc = grantd_admin_start(&s, &a, parse_kid(&a, argc, argv, &kid));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    int64_t now = grantd_clock_now();
    struct grantd_actor who = grantd_audit_cli(s.arena);
    struct grantd_audit entry = grantd_audit_entry(s.arena, &who, now, "key.revoke", NULL);
    grantd_rc src = grantd_keys_revoke(s.store, &s.cfg, s.tenant, kid, now, &entry, s.arena,
                                       &new_kid, &already, err, sizeof(err));
    if (src == GRANTD_ENOTFOUND) {
        rc = grantd_admin_fail(a.cmd, "no key %s (grantd key list)", kid);
        goto out;
    }
    if (src != GRANTD_OK) {
        rc = grantd_admin_fail(a.cmd, "%s", err);
        goto out;
    }
    grantd_admin_wait_caches();
    if (already) {
        printf("key %s was retired already\n", kid);
    } else {
        printf("key %s revoked\n", kid);
        if (new_kid)
            printf("new signing key %s signs from now\n", new_kid);
    }
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

static const struct grantd_admin_cmd key_commands[] = {
    {"rotate", key_rotate, "add a new signing key; the current one of its alg retires"},
    {"retire", key_retire, "retire a key now (a key that leaked)"},
    {"revoke", key_revoke, "revoke a key that leaked now; replaces it when it signs"},
    {"list", key_list, "list signing keys and their state"},
};

int grantd_cli_key(int argc, char **argv)
{
    return grantd_admin_dispatch("key", key_commands, GRANTD_ADMIN_COUNT(key_commands), argc, argv);
}
