/* Unit tests of core/crypto.c: base64url and standard base64 (RFC 4648 vectors, round trips,
 * strict rejection), hex, SHA-256, HMAC-SHA256 (RFC 4231), constant-time comparison and the
 * random token helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/crypto.h"

static void test_b64url_vectors(void **state)
{
    /* RFC 4648 §10, without padding */
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    char buf[16];
    for (size_t i = 0; i < 7; i++) {
        size_t n = strlen(in[i]);
        assert_int_equal(grantd_b64url_len(n), strlen(out[i]));
        assert_int_equal(grantd_b64url_encode(in[i], n, buf), strlen(out[i]));
        assert_string_equal(buf, out[i]);
        unsigned char dec[16];
        size_t dlen = 99;
        assert_int_equal(grantd_b64_decode(out[i], strlen(out[i]), 0, dec, &dlen), GRANTD_OK);
        assert_int_equal(dlen, n);
        assert_memory_equal(dec, in[i], n);
    }
    /* the URL-safe alphabet: 0xfb 0xff is "+/8" in standard base64 */
    const unsigned char hi[] = {0xfb, 0xff};
    assert_int_equal(grantd_b64url_encode(hi, 2, buf), 3);
    assert_string_equal(buf, "-_8");
    assert_int_equal(grantd_b64url_len(32), 43);
}

static void test_b64url_round_trip(void **state)
{
    unsigned char raw[96], dec[96 * 3 / 4 + 3 + 96];
    char enc[140];
    for (size_t i = 0; i < sizeof(raw); i++)
        raw[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof(raw); n++) {
        size_t elen = grantd_b64url_encode(raw, n, enc);
        assert_int_equal(elen, grantd_b64url_len(n));
        assert_null(strpbrk(enc, "+/="));
        size_t dlen;
        assert_int_equal(grantd_b64_decode(enc, elen, 0, dec, &dlen), GRANTD_OK);
        assert_int_equal(dlen, n);
        assert_memory_equal(dec, raw, n);
    }
}

static void expect_bad(const char *in, int std)
{
    unsigned char out[64];
    size_t len;
    assert_int_equal(grantd_b64_decode(in, strlen(in), std, out, &len), GRANTD_EINVAL);
}

static void test_b64url_rejects(void **state)
{
    expect_bad("Zg==", 0);  /* padding is refused in base64url */
    expect_bad("Zm9v=", 0);
    expect_bad("+/8", 0);   /* standard alphabet */
    expect_bad("+_8", 0);   /* one standard character among URL-safe ones */
    expect_bad("-/8", 0);
    expect_bad("Zm 9v", 0);
    expect_bad("Zm9v\n", 0);
    expect_bad("Z", 0);     /* impossible length */
    expect_bad("Zm9vY", 0);
    expect_bad("Zh", 0);    /* "Zg" with a non-zero trailing bit */
    expect_bad("Zm9", 0);   /* "Zm8" with non-zero trailing bits */
    expect_bad("Zm9vYh", 0);
    unsigned char out[4];
    size_t len;
    assert_int_equal(grantd_b64_decode("Zm\0v", 4, 0, out, &len), GRANTD_EINVAL);
}

static void test_b64_std(void **state)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    unsigned char dec[16];
    size_t dlen;
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(grantd_b64_decode(out[i], strlen(out[i]), 1, dec, &dlen), GRANTD_OK);
        assert_int_equal(dlen, strlen(in[i]));
        assert_memory_equal(dec, in[i], dlen);
    }
    assert_int_equal(grantd_b64_decode("+/8=", 4, 1, dec, &dlen), GRANTD_OK);
    assert_int_equal(dlen, 2);
    assert_int_equal(dec[0], 0xfb);
    assert_int_equal(dec[1], 0xff);
}

static void test_b64_std_rejects(void **state)
{
    expect_bad("-_8=", 1);   /* URL-safe alphabet */
    expect_bad("-/8=", 1);   /* one URL-safe character among standard ones */
    expect_bad("+_8=", 1);
    expect_bad("Zg=", 1);    /* padding to a length that is not a multiple of 4 */
    expect_bad("Z===", 1);   /* three padding characters */
    expect_bad("====", 1);
    expect_bad("Zm9v====", 1);
    expect_bad("Zg=a", 1);   /* '=' inside */
    expect_bad("Z=g=", 1);
    expect_bad("Zh==", 1);   /* non-zero trailing bits */
    expect_bad("Zm9=", 1);
    expect_bad("Zm9v Zg==", 1);
}

static void test_hex(void **state)
{
    const unsigned char raw[] = {0x00, 0xff, 0x10, 0xab, 0x7e};
    char enc[11];
    grantd_hex_encode(raw, sizeof(raw), enc);
    assert_string_equal(enc, "00ff10ab7e");
    grantd_hex_encode(raw, 0, enc);
    assert_string_equal(enc, "");
    unsigned char dec[8];
    size_t n;
    assert_int_equal(grantd_hex_decode("00FF10aB7e", 10, dec, sizeof(dec), &n), GRANTD_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(dec, raw, 5);
    assert_int_equal(grantd_hex_decode("", 0, dec, sizeof(dec), &n), GRANTD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(grantd_hex_decode("abc", 3, dec, sizeof(dec), &n), GRANTD_EINVAL);
    assert_int_equal(grantd_hex_decode("0g", 2, dec, sizeof(dec), &n), GRANTD_EINVAL);
    assert_int_equal(grantd_hex_decode(" 0", 2, dec, sizeof(dec), &n), GRANTD_EINVAL);
    /* out_cap is respected */
    assert_int_equal(grantd_hex_decode("000102", 6, dec, 2, &n), GRANTD_EINVAL);
    assert_int_equal(grantd_hex_decode("0001", 4, dec, 2, &n), GRANTD_OK);
}

static void assert_hex(const unsigned char *digest, const char *expected)
{
    char hex[2 * GRANTD_SHA256_LEN + 1];
    grantd_hex_encode(digest, GRANTD_SHA256_LEN, hex);
    assert_string_equal(hex, expected);
}

static void test_sha256(void **state)
{
    unsigned char d[GRANTD_SHA256_LEN];
    grantd_sha256("abc", 3, d);
    assert_hex(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    grantd_sha256("", 0, d);
    assert_hex(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_hmac_rfc4231(void **state)
{
    unsigned char d[GRANTD_SHA256_LEN];
    /* RFC 4231 test case 2 */
    const char *data = "what do ya want for nothing?";
    grantd_hmac_sha256("Jefe", 4, data, strlen(data), d);
    assert_hex(d, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* RFC 4231 test case 1 */
    unsigned char key[20];
    memset(key, 0x0b, sizeof(key));
    grantd_hmac_sha256(key, sizeof(key), "Hi There", 8, d);
    assert_hex(d, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void test_ct_equal(void **state)
{
    unsigned char a[32], b[32];
    memset(a, 0x42, sizeof(a));
    memset(b, 0x42, sizeof(b));
    assert_true(grantd_ct_equal(a, b, sizeof(a)));
    b[31] ^= 1;
    assert_false(grantd_ct_equal(a, b, sizeof(a)));
    assert_true(grantd_ct_equal(a, b, 31));
    b[0] ^= 0x80;
    assert_false(grantd_ct_equal(a, b, 31));
    assert_true(grantd_ct_equal(a, b, 0));
}

static void test_random(void **state)
{
    unsigned char a[32], b[32];
    assert_int_equal(grantd_random_bytes(a, sizeof(a)), GRANTD_OK);
    assert_int_equal(grantd_random_bytes(b, sizeof(b)), GRANTD_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    char t1[64], t2[64];
    assert_int_equal(grantd_random_token(32, t1), GRANTD_OK);
    assert_int_equal(grantd_random_token(32, t2), GRANTD_OK);
    assert_int_equal(strlen(t1), 43);
    assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(t1, t2);
    char big[128];
    assert_int_equal(grantd_random_token(65, big), GRANTD_EINVAL);
}

/* grantd_random_bytes serves small requests from a per-thread pool: across several pool
 * refills, no 16-byte draw may repeat (a pool handed out twice, or not advanced, would), and
 * draws of every small size must not come back as zeros (the wiped part of the pool). */
static void test_random_pool_never_repeats(void **state)
{
    (void)state;
    enum { N = 4000, W = 16 };
    unsigned char *all = malloc((size_t)N * W);
    assert_non_null(all);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(grantd_random_bytes(all + i * W, W), GRANTD_OK);
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++)
            assert_true(memcmp(all + i * W, all + j * W, W) != 0);
    static const unsigned char zero[W];
    for (size_t n = 1; n <= 128; n++) {
        unsigned char buf[128];
        int tries = 0, nonzero = 0;
        while (!nonzero && tries++ < 4) { /* 1 in 256 one-byte draws is 0 */
            assert_int_equal(grantd_random_bytes(buf, n), GRANTD_OK);
            nonzero = memcmp(buf, zero, n < W ? n : W) != 0;
        }
        assert_true(nonzero);
    }
    free(all);
}

/* A forked child must not hand out the bytes its parent's pool still holds. */
static void test_random_pool_after_fork(void **state)
{
    (void)state;
    unsigned char warm[8], mine[32], theirs[32];
    assert_int_equal(grantd_random_bytes(warm, sizeof(warm)), GRANTD_OK); /* pool filled */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        unsigned char b[32];
        int ok = grantd_random_bytes(b, sizeof(b)) == GRANTD_OK &&
                 write(fds[1], b, sizeof(b)) == (ssize_t)sizeof(b);
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(grantd_random_bytes(mine, sizeof(mine)), GRANTD_OK);
    assert_int_equal(read(fds[0], theirs, sizeof(theirs)), (ssize_t)sizeof(theirs));
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(memcmp(mine, theirs, sizeof(mine)) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64url_vectors),
        cmocka_unit_test(test_b64url_round_trip),
        cmocka_unit_test(test_b64url_rejects),
        cmocka_unit_test(test_b64_std),
        cmocka_unit_test(test_b64_std_rejects),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_random_pool_never_repeats),
        cmocka_unit_test(test_random_pool_after_fork),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
