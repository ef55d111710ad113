/* User passwords: argon2id hashing (CLI) and verification (login page). The parameters are
 * OWASP's Password Storage Cheat Sheet minimum for argon2id: m=19 MiB, t=2, p=1. */
#ifndef GRANTD_CORE_PASSWORD_H
#define GRANTD_CORE_PASSWORD_H

#include <stddef.h>

#include "core/error.h"

#define GRANTD_PASSWORD_MAX 1024       /* bytes */
#define GRANTD_PASSWORD_HASH_LEN 128   /* room for the encoded argon2id string */

#define GRANTD_ARGON2_T_COST 2
#define GRANTD_ARGON2_M_COST_KIB 19456
#define GRANTD_ARGON2_PARALLELISM 1
#define GRANTD_ARGON2_SALT_LEN 16
#define GRANTD_ARGON2_HASH_LEN 32

/* The argon2id encoded hash of password, with a fresh random salt, into encoded. */
GRANTD_MUST_USE grantd_rc grantd_password_hash(const char *password,
                                               char encoded[GRANTD_PASSWORD_HASH_LEN]);

/* 1 when password matches the encoded argon2id hash. encoded NULL stands for an unknown
 * user: the password is checked against a fixed hash with the same parameters, so the
 * answer takes as long as for a real user, and 0 is returned. */
int grantd_password_verify(const char *encoded, const char *password);

#endif
