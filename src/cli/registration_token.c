/* grantd registration-token create: an initial access token (RFC 7591 §3) for /register
 * of an issuer whose registration.mode is token, sent there as `Authorization: Bearer
 * TOKEN`.
 *
 * The token ("grantd_iat_" and 43 base64url characters: 32 random bytes) is printed once;
 * grantd keeps only its keyed hash, as for client secrets. --expires-in sets how long it
 * works (default: until used up), --uses how many clients it may register (default: one;
 * 0 for no limit). Each registration takes one use in the transaction that creates the
 * client. Not here: the admin API's POST /v1/tenants/{t}/registration-tokens (admin/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/body.h"
#include "admin/rules.h"
#include "cli/admin.h"
#include "core/clock.h"

#define EXPIRES_MAX GRANTD_API_IAT_EXPIRES_MAX /* 366 days */
#define USES_MAX GRANTD_API_IAT_USES_MAX

static const char create_usage[] =
    "Usage: grantd registration-token create [--tenant T] [--expires-in S] [--uses N]\n"
    "                                        [--json] [--config FILE] [--db URL]\n\n"
    "Creates an initial access token for dynamic client registration (POST /register of an\n"
    "issuer with registration.mode = \"token\") and prints it once; grantd keeps only a\n"
    "keyed hash of it. Send it as 'Authorization: Bearer TOKEN'.\n\n"
    "Options:\n"
    "  --tenant T       the issuer it registers clients with (default: the default tenant)\n"
    "  --expires-in S   seconds it works (1 to 31622400; default: no expiry)\n"
    "  --uses N         clients it may register (0 for no limit, at most 1000000;\n"
    "                   default: 1)\n"
    "  --json           print one JSON object\n"
    "  --config FILE    configuration file\n"
    "  --db URL         database URL (e.g. sqlite:grantd.db)\n"
    "  --help           this text\n";

/* A decimal number of 1..max (or 0..max with zero_ok) into *out; 0 when it is not. */
static int number(const char *text, long long max, int zero_ok, long long *out)
{
    size_t n = strlen(text);
    if (n < 1 || n > 10 || strspn(text, "0123456789") != n)
        return 0;
    *out = strtoll(text, NULL, 10);
    return *out <= max && (*out > 0 || zero_ok);
}

static int parse(struct grantd_admin_args *a, int argc, char **argv, int *json,
                 long long *expires_in, long long *uses)
{
    static const struct option opts[] = {GRANTD_ADMIN_COMMON_OPTIONS,
                                         {"json", no_argument, NULL, 'j'},
                                         {"expires-in", required_argument, NULL, 'e'},
                                         {"uses", required_argument, NULL, 'u'},
                                         {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = grantd_admin_getopt(a, argc, argv, opts)) != -1) {
        if (opt == GRANTD_ADMIN_STOP)
            return grantd_admin_stopped(a);
        if (opt == 'j')
            *json = 1;
        else if (opt == 'e' && !number(optarg, EXPIRES_MAX, 0, expires_in))
            return grantd_cli_usage_error(a->cmd, "--expires-in must be seconds from 1 to "
                                                  "31622400");
        else if (opt == 'u' && !number(optarg, USES_MAX, 1, uses))
            return grantd_cli_usage_error(a->cmd, "--uses must be a number from 0 (no limit) "
                                                  "to 1000000");
    }
    return grantd_admin_positionals(a, argc, argv, 0, 0, "");
}

static void output(const struct grantd_registration_token *t, const char *tenant,
                   const char *text, int json)
{
    json_t *o = json_pack("{s:s,s:s,s:o,s:o,s:s}", "id", t->id, "tenant", tenant, "expires_at",
                          t->expires_at ? json_integer(t->expires_at) : json_null(), "uses",
                          t->uses_left < 0 ? json_null() : json_integer(t->uses_left), "token",
                          text);
    if (json) {
        grantd_admin_print_json(o);
        return;
    }
    char expires[32] = "never", uses[24] = "no limit";
    if (t->expires_at)
        grantd_admin_format_time(t->expires_at, expires);
    if (t->uses_left >= 0)
        snprintf(uses, sizeof(uses), "%lld", (long long)t->uses_left);
    grantd_admin_print_kv("id", t->id);
    grantd_admin_print_kv("tenant", tenant);
    grantd_admin_print_kv("expires", expires);
    grantd_admin_print_kv("uses", uses);
    grantd_admin_print_kv("token", text);
    grantd_admin_print_kv("note", "the token is shown only once; grantd keeps only a hash");
    json_decref(o);
}

static int token_create(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    struct grantd_registration_token t;
    char id[32], text[GRANTD_REG_TOKEN_LEN] = "";
    long long expires_in = 0, uses = 1;
    int json = 0;
    memset(&t, 0, sizeof(t));
    grantd_admin_args_init(&a, "registration-token create", create_usage);
    int rc = grantd_admin_start(&s, &a, parse(&a, argc, argv, &json, &expires_in, &uses));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    t.id = id;
    t.tenant = s.tenant;
    t.created_at = grantd_clock_now();
    t.expires_at = expires_in ? t.created_at + expires_in : 0;
    t.uses_left = uses ? uses : -1;
    grantd_rc src = grantd_rules_random_id(id);
    if (src == GRANTD_OK)
        src = grantd_rules_new_token(s.store, GRANTD_IAT_PREFIX, text, t.hash);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, t.tenant, "registration_token.create",
                                     "registration_token", t.id,
                                     json_pack("{s:o,s:o}", "uses",
                                               uses ? json_integer(uses) : json_null(),
                                               "expires_at",
                                               t.expires_at ? json_integer(t.expires_at)
                                                            : json_null()),
                                     grantd_store_registration_token_put(s.store, &t));
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(a.cmd, "cannot store the token", src);
        goto out;
    }
    output(&t, a.tenant ? a.tenant : "default", text, json);
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    explicit_bzero(text, sizeof(text));
    return grantd_admin_end(&s, rc);
}

static const struct grantd_admin_cmd token_commands[] = {
    {"create", token_create, "create an initial access token for /register (prints it once)"},
};

int grantd_cli_registration_token(int argc, char **argv)
{
    return grantd_admin_dispatch("registration-token", token_commands,
                                 GRANTD_ADMIN_COUNT(token_commands), argc, argv);
}
