/* Unit tests of http/client_addr.c and core/cidr.c: CIDR blocks, and the client's address
 * read right to left from X-Forwarded-For and Forwarded when the peer is a trusted proxy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/cidr.h"
#include "http/client_addr.h"

static struct grantd_cidr blocks[4];
static size_t nblocks;

static int setup(void **state)
{
    static const char *const list[] = {"127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"};
    (void)state;
    for (nblocks = 0; nblocks < 4; nblocks++)
        assert_null(grantd_cidr_parse(list[nblocks], &blocks[nblocks]));
    return 0;
}

static const char *pick(const char *peer, const char *header, int forwarded)
{
    static char out[GRANTD_CLIENT_ADDR_LEN];
    grantd_client_addr_pick(blocks, nblocks, peer, header, forwarded, out);
    return out;
}

static void test_cidr(void **state)
{
    struct grantd_cidr b;
    unsigned char a[16];
    (void)state;
    assert_null(grantd_cidr_parse("192.168.1.77/24", &b));
    assert_true(grantd_ip_parse("192.168.1.200", 13, a) && grantd_cidr_match(&b, a));
    assert_true(grantd_ip_parse("192.168.2.1", 11, a) && !grantd_cidr_match(&b, a));
    assert_null(grantd_cidr_parse("0.0.0.0/0", &b));
    assert_true(grantd_ip_parse("::1", 3, a) && !grantd_cidr_match(&b, a)); /* IPv4 only */
    assert_null(grantd_cidr_parse("2001:db8::/33", &b));
    assert_true(grantd_ip_parse("2001:db8:7fff::1", 16, a) && grantd_cidr_match(&b, a));
    assert_true(grantd_ip_parse("2001:db8:8000::1", 16, a) && !grantd_cidr_match(&b, a));
    static const char *const bad[] = {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x",
                                      "localhost", "10.0.0", "10.0.0.0/-1", "fe80::1%eth0",
                                      "10.0.0.0/08/1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_non_null(grantd_cidr_parse(bad[i], &b));
}

static void test_untrusted_peer_headers_ignored(void **state)
{
    (void)state;
    assert_string_equal(pick("203.0.113.9", "198.51.100.1", 0), "203.0.113.9");
    assert_string_equal(pick("203.0.113.9", "for=198.51.100.1", 1), "203.0.113.9");
    assert_string_equal(pick("-", "198.51.100.1", 0), "-");
}

static void test_x_forwarded_for(void **state)
{
    (void)state;
    assert_string_equal(pick("127.0.0.1", NULL, 0), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "198.51.100.1", 0), "198.51.100.1");
    /* what a client wrote on the left is not believed: the rightmost untrusted hop wins */
    assert_string_equal(pick("127.0.0.1", "6.6.6.6, 198.51.100.1", 0), "198.51.100.1");
    assert_string_equal(pick("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", 0),
                        "198.51.100.1");
    assert_string_equal(pick("127.0.0.1", "garbage, 198.51.100.1", 0), "198.51.100.1");
    /* every hop trusted: the leftmost */
    assert_string_equal(pick("127.0.0.1", "10.0.0.5,10.0.0.6", 0), "10.0.0.5");
    /* ports and IPv6 forms, normalised */
    assert_string_equal(pick("127.0.0.1", "198.51.100.1:4711", 0), "198.51.100.1");
    assert_string_equal(pick("::1", "2001:DB8::0:1", 0), "2001:db8::1");
    assert_string_equal(pick("::1", "[2001:db8::1]:443", 0), "2001:db8::1");
    /* an entry that is no address ends the walk at the proxy that forwarded it */
    assert_string_equal(pick("127.0.0.1", "198.51.100.1, nonsense", 0), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "198.51.100.1, unknown, 10.0.0.2", 0), "10.0.0.2");
    assert_string_equal(pick("127.0.0.1", "", 0), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "198.51.100.1,", 0), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "1.2.3.4:99999", 0), "127.0.0.1");
}

static void test_forwarded(void **state)
{
    (void)state;
    assert_string_equal(pick("127.0.0.1", "for=198.51.100.1", 1), "198.51.100.1");
    assert_string_equal(pick("127.0.0.1", "For=\"[2001:db8:cafe::17]:4711\"", 1),
                        "2001:db8:cafe::17");
    assert_string_equal(pick("127.0.0.1", "for=192.0.2.43, for=198.51.100.17;by=10.0.0.1", 1),
                        "198.51.100.17");
    assert_string_equal(pick("127.0.0.1", "proto=https;for=\"198.51.100.1:80\";host=a.b", 1),
                        "198.51.100.1");
    assert_string_equal(pick("127.0.0.1", "for=6.6.6.6, for=10.0.0.9", 1), "6.6.6.6");
    /* unknown, obfuscated, no for=, malformed: the proxy */
    assert_string_equal(pick("127.0.0.1", "for=unknown", 1), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "for=_hidden", 1), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "by=10.0.0.1", 1), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "for", 1), "127.0.0.1");
    /* a comma inside a quoted value does not split elements; an open quote spoils the whole */
    assert_string_equal(pick("127.0.0.1", "for=\"a,b\", for=198.51.100.2", 1), "198.51.100.2");
    assert_string_equal(pick("127.0.0.1", "for=\"6.6.6.6, for=198.51.100.2", 1), "127.0.0.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_untrusted_peer_headers_ignored),
        cmocka_unit_test(test_x_forwarded_for),
        cmocka_unit_test(test_forwarded),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
