/* IP addresses and CIDR blocks (RFC 4632, RFC 4291 §2.3): the trusted_proxies setting and the
 * addresses http/client_addr.c compares with it. An IPv4 address is kept as its IPv4-mapped
 * IPv6 form (::ffff:a.b.c.d), so "10.0.0.0/8" also matches a peer seen on a dual-stack
 * socket. Not here: host names, zone ids (fe80::1%eth0), ports. */
#ifndef GRANTD_CORE_CIDR_H
#define GRANTD_CORE_CIDR_H

#include <stddef.h>

struct grantd_cidr {
    unsigned char addr[16]; /* IPv6 or IPv4-mapped; the bits past prefix are zero */
    unsigned prefix;        /* 0..128 (an IPv4 block's /n is stored as 96 + n) */
};

/* Parses one address ("192.0.2.1", "2001:db8::1") into out[16] (IPv4 mapped). 0 when text
 * (of len bytes, not NUL-terminated) is not an address. */
int grantd_ip_parse(const char *text, size_t len, unsigned char out[16]);
/* Parses "ADDRESS" (a block of one) or "ADDRESS/N" (N ≤ 32 for IPv4, ≤ 128 for IPv6; the
 * address may have host bits set: they are cleared). NULL, or why text is not one. */
const char *grantd_cidr_parse(const char *text, struct grantd_cidr *out);
/* 1 when addr (16 bytes, as grantd_ip_parse gives it) lies in block. */
int grantd_cidr_match(const struct grantd_cidr *block, const unsigned char addr[16]);

#endif
