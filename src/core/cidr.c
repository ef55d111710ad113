/* IP addresses and CIDR blocks: parsing with inet_pton and a prefix match. Keeps no state. */
#include "core/cidr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN */

int grantd_ip_parse(const char *text, size_t len, unsigned char out[16])
{
    char buf[ADDR_TEXT_MAX];
    unsigned char v4[4];
    if (len == 0 || len >= sizeof(buf) || memchr(text, '\0', len))
        return 0;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, v4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, v4, 4);
        return 1;
    }
    return inet_pton(AF_INET6, buf, out) == 1;
}

/* The prefix length after '/': decimal digits only, at most max. -1 otherwise. */
static int prefix_of(const char *p, unsigned max)
{
    unsigned n = 0;
    if (!*p || strlen(p) > 3)
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (unsigned)(*p - '0');
    }
    return n <= max ? (int)n : -1;
}

const char *grantd_cidr_parse(const char *text, struct grantd_cidr *out)
{
    const char *slash = strchr(text, '/');
    size_t len = slash ? (size_t)(slash - text) : strlen(text);
    if (!grantd_ip_parse(text, len, out->addr))
        return "must be an IP address or a CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)";
    int v4 = memchr(text, ':', len) == NULL;
    int n = slash ? prefix_of(slash + 1, v4 ? 32 : 128) : (v4 ? 32 : 128);
    if (n < 0)
        return v4 ? "has a prefix length that is not 0..32" : "has a prefix length that is "
                                                              "not 0..128";
    out->prefix = (unsigned)n + (v4 ? 96 : 0);
    for (unsigned bit = out->prefix; bit < 128; bit++)
        out->addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
    return NULL;
}

int grantd_cidr_match(const struct grantd_cidr *block, const unsigned char addr[16])
{
    unsigned full = block->prefix / 8, rest = block->prefix % 8;
    if (memcmp(block->addr, addr, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xffu << (8 - rest));
    return (block->addr[full] & mask) == (addr[full] & mask);
}
