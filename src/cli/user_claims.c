/* The flags of `grantd user create | update` named after the OpenID Connect claims
 * (--name, --given-name, --phone-number, --email-verified, ...): their getopt table, built
 * from admin/claims.h's table so that a claim added there gets its flag here, and their
 * checks. Not here: the rules themselves (admin/claims.c), the commands (user.c). */
#include <string.h>

#include "cli/admin.h"
#include "cli/user_int.h"

/* The flag names: the claims' names with '-' for '_' (built once; the CLI is one thread). */
static char flag_names[GRANTD_CLAIM_COUNT][32];

static const char *flag_name(size_t i)
{
    if (!flag_names[i][0]) {
        const char *name = grantd_claim_name(i, NULL);
        size_t n = strlen(name) < sizeof(flag_names[i]) - 1 ? strlen(name)
                                                            : sizeof(flag_names[i]) - 1;
        for (size_t k = 0; k < n; k++)
            flag_names[i][k] = name[k] == '_' ? '-' : name[k];
    }
    return flag_names[i];
}

void grantd_cli_claim_options(struct option *opts, size_t *n)
{
    int boolean;
    for (size_t i = 0; grantd_claim_name(i, &boolean) != NULL; i++) {
        struct option o = {flag_name(i), boolean ? optional_argument : required_argument, NULL,
                           GRANTD_CLI_CLAIM_OPT + (int)i};
        opts[(*n)++] = o;
    }
}

int grantd_cli_claim_option(const char *cmd, struct grantd_cli_claims *c, int opt,
                            const char *arg)
{
    if (opt < GRANTD_CLI_CLAIM_OPT || opt >= GRANTD_CLI_CLAIM_OPT + GRANTD_CLAIM_COUNT)
        return -1;
    size_t i = (size_t)(opt - GRANTD_CLI_CLAIM_OPT);
    if (c->value[i])
        return grantd_cli_usage_error(cmd, "--%s given twice", flag_name(i));
    c->value[i] = arg ? arg : "true";
    return GRANTD_EXIT_OK;
}

int grantd_cli_claims_apply(const char *cmd, const struct grantd_cli_claims *c,
                            struct grantd_user *u)
{
    struct grantd_user scratch = *u;
    for (size_t i = 0; i < GRANTD_CLAIM_COUNT; i++) {
        const char *why = c->value[i] ? grantd_claim_set(&scratch, i, c->value[i]) : NULL;
        if (why)
            return grantd_cli_usage_error(cmd, "--%s %s", flag_name(i), why);
    }
    *u = scratch;
    return GRANTD_EXIT_OK;
}

void grantd_cli_claims_members(const struct grantd_cli_claims *c, json_t *members)
{
    for (size_t i = 0; i < GRANTD_CLAIM_COUNT; i++)
        if (c->value[i])
            json_array_append_new(members, json_string(grantd_claim_name(i, NULL)));
}
