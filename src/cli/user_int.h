/* Passwords for the user subcommands: reading one from stdin or a terminal (user_password.c;
 * hashing it with argon2id is core/password.h). Private to src/cli. */
#ifndef GRANTD_CLI_USER_INT_H
#define GRANTD_CLI_USER_INT_H

#include <stddef.h>

#include "core/error.h"
#include "core/password.h"

#define GRANTD_PASSWORD_BUF (GRANTD_PASSWORD_MAX + 2) /* a buffer for one, with the NUL */

/* Reads a password into out (GRANTD_PASSWORD_BUF bytes): from a terminal on stdin with
 * a prompt on stderr, echo off and a confirmation; otherwise the first line of stdin with a
 * trailing \r\n or \n removed. An empty or over-long password, or one with a NUL byte, is
 * a usage error naming cmd. Returns a GRANTD_EXIT_* code. The caller wipes out. */
int grantd_cli_read_password(const char *cmd, char *out, size_t outlen);

#endif
