/* argon2id through libargon2 (Debian's libargon2-dev). */
#include "core/password.h"

#include <pthread.h>
#include <string.h>

#include <argon2.h>

#include "core/crypto.h"

grantd_rc grantd_password_hash(const char *password, char encoded[GRANTD_PASSWORD_HASH_LEN])
{
    unsigned char salt[GRANTD_ARGON2_SALT_LEN];
    grantd_rc rc = grantd_random_bytes(salt, sizeof(salt));
    if (rc != GRANTD_OK)
        return rc;
    int r = argon2id_hash_encoded(GRANTD_ARGON2_T_COST, GRANTD_ARGON2_M_COST_KIB,
                                  GRANTD_ARGON2_PARALLELISM, password, strlen(password), salt,
                                  sizeof(salt), GRANTD_ARGON2_HASH_LEN, encoded,
                                  GRANTD_PASSWORD_HASH_LEN);
    return r == ARGON2_OK ? GRANTD_OK : GRANTD_ECRYPTO;
}

/* The stand-in hash for unknown users, made once per process with the real parameters. */
static char dummy_hash[GRANTD_PASSWORD_HASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    if (grantd_password_hash("grantd-no-such-user", dummy_hash) != GRANTD_OK)
        dummy_hash[0] = '\0';
}

int grantd_password_verify(const char *encoded, const char *password)
{
    if (!encoded) {
        pthread_once(&dummy_once, make_dummy);
        if (dummy_hash[0])
            (void)argon2id_verify(dummy_hash, password, strlen(password));
        return 0;
    }
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}
