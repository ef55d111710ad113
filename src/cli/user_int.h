/* Helpers of the user subcommands, private to src/cli: passwords, read from stdin or a
 * terminal (user_password.c; hashing them with argon2id is core/password.h), and the flags
 * named after the OpenID Connect claims (user_claims.c; their rules are admin/claims.h). */
#ifndef GRANTD_CLI_USER_INT_H
#define GRANTD_CLI_USER_INT_H

#include <getopt.h>
#include <stddef.h>

#include <jansson.h>

#include "admin/claims.h"

#include "core/config.h"
#include "core/error.h"
#include "core/password.h"

#define GRANTD_PASSWORD_BUF (GRANTD_PASSWORD_MAX + 2) /* a buffer for one, with the NUL */

/* Reads a password into out (GRANTD_PASSWORD_BUF bytes): from a terminal on stdin with
 * a prompt on stderr, echo off and a confirmation; otherwise the first line of stdin with a
 * trailing \r\n or \n removed. An empty or over-long password, or one with a NUL byte, is
 * a usage error naming cmd. Returns a GRANTD_EXIT_* code. The caller wipes out. */
int grantd_cli_read_password(const char *cmd, char *out, size_t outlen);
/* GRANTD_EXIT_OK when password may be set for username under cfg's password policy
 * (core/password_policy.h); else "grantd CMD: password WHY" on stderr and GRANTD_EXIT_FAIL. */
int grantd_cli_password_allowed(const char *cmd, const struct grantd_config *cfg,
                                const char *username, const char *password);

/* getopt values of the claim flags: GRANTD_CLI_CLAIM_OPT + the claim's index. */
#define GRANTD_CLI_CLAIM_OPT 0x1100

#define GRANTD_CLI_CLAIMS_HELP                                                               \
    "  --name TEXT, --given-name TEXT, --family-name TEXT, --preferred-username TEXT\n"      \
    "                   OpenID Connect claims: at most 200 bytes, no control characters\n"  \
    "  --phone-number +NUMBER  E.164: '+' and 4..15 digits, like +4930123456\n"            \
    "  --locale TAG     a BCP 47 language tag, like en or de-CH\n"                          \
    "  --address TEXT   the postal address as one text (\\n between lines: use $'...')\n"   \
    "  --email-verified[=true|false], --phone-number-verified[=true|false]\n"              \
    "                   the address or number has been verified (alone: true)\n"

/* The claim flags given, by claim index (admin/claims.h); NULL when not given. */
struct grantd_cli_claims {
    const char *value[GRANTD_CLAIM_COUNT];
};

/* Writes the claim flags into opts from *n on (room for GRANTD_CLAIM_COUNT entries) and
 * advances *n; the caller adds the terminating entry. */
void grantd_cli_claim_options(struct option *opts, size_t *n);
/* Records getopt's opt and its argument arg (NULL: a boolean flag without a value, meaning
 * true) when opt is a claim flag. Returns GRANTD_EXIT_OK when recorded, a usage error
 * naming cmd when the flag was given twice, -1 when opt is not a claim flag. */
int grantd_cli_claim_option(const char *cmd, struct grantd_cli_claims *c, int opt,
                            const char *arg);
/* Checks every given flag against its claim's rule and sets it on u ("" clears it); on
 * the first refusal a usage error naming the flag, with u unchanged. Returns a
 * GRANTD_EXIT_* code. */
int grantd_cli_claims_apply(const char *cmd, const struct grantd_cli_claims *c,
                            struct grantd_user *u);
/* Appends the JSON names of the given claims to the array members. */
void grantd_cli_claims_members(const struct grantd_cli_claims *c, json_t *members);

#endif
