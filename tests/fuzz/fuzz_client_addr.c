/* libFuzzer target for the client-address walk (http/client_addr.c) over X-Forwarded-For and
 * Forwarded header values and for CIDR blocks (core/cidr.c). The first byte chooses the
 * syntax; the rest is the header (or, for 2, a trusted_proxies entry). Invariants: the answer
 * is the peer or an address that parses back to itself; a header behind an untrusted peer is
 * never read; appending a trusted hop's address names no new client beyond what a proxy
 * appended (the walk is right to left). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cidr.h"
#include "fuzz_assert.h"
#include "http/client_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_answer(const char *out, const char *peer)
{
    unsigned char a[16];
    FUZZ_CHECK(strlen(out) < GRANTD_CLIENT_ADDR_LEN);
    if (strcmp(out, peer) == 0)
        return;
    FUZZ_CHECK(grantd_ip_parse(out, strlen(out), a));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 3;
    char *h = malloc(size + 32);
    memcpy(h, data + 1, size - 1);
    h[size - 1] = '\0';
    if (mode == 2) { /* a trusted_proxies entry */
        struct grantd_cidr b;
        unsigned char a[16];
        if (grantd_cidr_parse(h, &b) == NULL) {
            FUZZ_CHECK(b.prefix <= 128);
            FUZZ_CHECK(grantd_cidr_match(&b, b.addr)); /* a block holds its own base */
            memset(a, 0, sizeof(a));
            FUZZ_CHECK(b.prefix != 0 || grantd_cidr_match(&b, a));
        }
        free(h);
        return 0;
    }
    struct grantd_cidr blocks[2];
    FUZZ_CHECK(grantd_cidr_parse("127.0.0.1", &blocks[0]) == NULL);
    FUZZ_CHECK(grantd_cidr_parse("10.0.0.0/8", &blocks[1]) == NULL);
    char out[GRANTD_CLIENT_ADDR_LEN], again[GRANTD_CLIENT_ADDR_LEN];
    grantd_client_addr_pick(blocks, 2, "127.0.0.1", h, mode, out);
    check_answer(out, "127.0.0.1");
    grantd_client_addr_pick(blocks, 2, "192.0.2.1", h, mode, out);
    FUZZ_CHECK(strcmp(out, "192.0.2.1") == 0);
    /* a proxy that appends an untrusted client's address: that address is the answer,
     * whatever the client sent before it */
    strcat(h, mode ? ", for=198.51.100.7" : ", 198.51.100.7");
    grantd_client_addr_pick(blocks, 2, "127.0.0.1", h, mode, again);
    int open_quote = 0;
    for (const char *p = h; *p; p++) {
        if (open_quote && *p == '\\' && p[1])
            p++;
        else if (*p == '"')
            open_quote = !open_quote;
    }
    if (!mode || !open_quote)
        FUZZ_CHECK(strcmp(again, "198.51.100.7") == 0);
    free(h);
    return 0;
}
