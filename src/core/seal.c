/* AES-256-GCM sealing of small secrets with OpenSSL 3 EVP (see seal.h for the layout).
 *
 * A fresh random 96-bit nonce per seal: with random nonces GCM stays safe for about 2^32
 * seals under one key (NIST SP 800-38D §8.3), far beyond what signing keys or refresh
 * successors need. This module does not derive keys or store anything. */
#include "core/seal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/crypto.h"
#include "core/mem.h"

#define NONCE_LEN 12
#define TAG_LEN 16

/* Sets up ctx for AES-256-GCM with key and nonce in the given direction and feeds aad. */
static int gcm_begin(EVP_CIPHER_CTX *ctx, int enc, const unsigned char *key,
                     const unsigned char *nonce, const void *aad, size_t aad_len)
{
    int len = 0;
    if (aad_len > INT_MAX)
        return 0;
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
        return 0;
    if (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &len, aad, (int)aad_len) != 1)
        return 0;
    return 1;
}

grantd_rc grantd_seal(const unsigned char key[GRANTD_SEAL_KEY_LEN], const void *aad,
                      size_t aad_len, const void *plain, size_t n, unsigned char **out,
                      size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (n > INT_MAX - GRANTD_SEAL_OVERHEAD || (aad_len > 0 && !aad))
        return GRANTD_ECRYPTO;
    grantd_rc rc = GRANTD_ECRYPTO;
    unsigned char *buf = grantd_xmalloc(n + GRANTD_SEAL_OVERHEAD);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    if (!ctx || grantd_random_bytes(buf, NONCE_LEN) != GRANTD_OK)
        goto out;
    if (!gcm_begin(ctx, 1, key, buf, aad, aad_len))
        goto out;
    if (n > 0 && EVP_EncryptUpdate(ctx, buf + NONCE_LEN, &len, plain, (int)n) != 1)
        goto out;
    if (EVP_EncryptFinal_ex(ctx, buf + NONCE_LEN + len, &fin) != 1 || (size_t)(len + fin) != n)
        goto out;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + NONCE_LEN + n) != 1)
        goto out;
    *out = buf;
    *out_len = n + GRANTD_SEAL_OVERHEAD;
    buf = NULL;
    rc = GRANTD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    free(buf);
    return rc;
}

grantd_rc grantd_unseal(const unsigned char key[GRANTD_SEAL_KEY_LEN], const void *aad,
                        size_t aad_len, const unsigned char *sealed, size_t sealed_len,
                        unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!sealed || sealed_len < GRANTD_SEAL_OVERHEAD || sealed_len > INT_MAX ||
        (aad_len > 0 && !aad))
        return GRANTD_ECRYPTO;
    size_t n = sealed_len - GRANTD_SEAL_OVERHEAD;
    grantd_rc rc = GRANTD_ECRYPTO;
    unsigned char *buf = grantd_xmalloc(n + 1);
    unsigned char tag[TAG_LEN];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    memcpy(tag, sealed + NONCE_LEN + n, TAG_LEN); /* the ctrl takes a non-const pointer */
    if (!ctx || !gcm_begin(ctx, 0, key, sealed, aad, aad_len))
        goto out;
    if (n > 0 && EVP_DecryptUpdate(ctx, buf, &len, sealed + NONCE_LEN, (int)n) != 1)
        goto out;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1)
        goto out;
    /* the tag is checked here: nothing decrypted is handed out unless it authenticates */
    if (EVP_DecryptFinal_ex(ctx, buf + len, &fin) != 1 || (size_t)(len + fin) != n)
        goto out;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    buf = NULL;
    rc = GRANTD_OK;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (buf) {
        OPENSSL_cleanse(buf, n + 1);
        free(buf);
    }
    return rc;
}
