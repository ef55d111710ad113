/* Passwords for the user subcommands: reading one from stdin or a terminal, and hashing it
 * with argon2id. Private to src/cli. */
#ifndef GRANTD_CLI_USER_INT_H
#define GRANTD_CLI_USER_INT_H

#include <stddef.h>

#include "core/error.h"

#define GRANTD_PASSWORD_MAX 1024       /* bytes */
#define GRANTD_PASSWORD_BUF (GRANTD_PASSWORD_MAX + 2) /* a buffer for one, with the NUL */
#define GRANTD_PASSWORD_HASH_LEN 128   /* room for the encoded argon2id string */

/* OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1. */
#define GRANTD_ARGON2_T_COST 2
#define GRANTD_ARGON2_M_COST_KIB 19456
#define GRANTD_ARGON2_PARALLELISM 1
#define GRANTD_ARGON2_SALT_LEN 16
#define GRANTD_ARGON2_HASH_LEN 32

/* Reads a password into out (GRANTD_PASSWORD_BUF bytes): from a terminal on stdin with
 * a prompt on stderr, echo off and a confirmation; otherwise the first line of stdin with a
 * trailing \r\n or \n removed. An empty or over-long password, or one with a NUL byte, is
 * a usage error naming cmd. Returns a GRANTD_EXIT_* code. The caller wipes out. */
int grantd_cli_read_password(const char *cmd, char *out, size_t outlen);
/* The argon2id encoded hash of password, with a fresh random salt, into encoded. */
GRANTD_MUST_USE grantd_rc grantd_cli_hash_password(const char *password,
                                                   char encoded[GRANTD_PASSWORD_HASH_LEN]);

#endif
