/* The client's address behind trusted reverse proxies (trusted_proxies, forwarded_header).
 *
 * When the peer of a connection is a trusted proxy, the client is named by the header
 * forwarded_header says: X-Forwarded-For (addresses separated by commas) or Forwarded (RFC
 * 7239: the for= of each element). Proxies append, so the list is read from the right: each
 * address that is itself a trusted proxy is skipped, and the first one that is not is the
 * client (whatever a client wrote further left is never believed). When every address is
 * trusted, the leftmost is the client; an entry that is not an address (for=unknown, an
 * obfuscated name, garbage) ends the walk at the proxy that forwarded it. When the peer is
 * not trusted, or trusted_proxies is unset, headers are ignored and the peer is the client.
 * Several header lines count as one list joined with commas. Not here: the port, or trusting
 * a proxy by name. */
#ifndef GRANTD_HTTP_CLIENT_ADDR_H
#define GRANTD_HTTP_CLIENT_ADDR_H

#include <stddef.h>

#include "core/cidr.h"
#include "core/config.h"
#include "http/request.h"

#define GRANTD_CLIENT_ADDR_LEN 46 /* INET6_ADDRSTRLEN */

/* Parses cfg->trusted_proxies (validated at load) into blocks[max]; returns their count. */
size_t grantd_trusted_proxies(const struct grantd_config *cfg, struct grantd_cidr *blocks,
                              size_t max);

/* The pure walk: the client's address as text (IPv4 dotted, IPv6 as inet_ntop writes it)
 * into out[GRANTD_CLIENT_ADDR_LEN], given the peer's address text, the blocks, and the
 * header's value (NULL when absent; forwarded: 1 for RFC 7239 syntax, 0 for
 * X-Forwarded-For). Never fails: the peer (or "-") when nothing better is known. */
void grantd_client_addr_pick(const struct grantd_cidr *blocks, size_t n, const char *peer,
                             const char *header, int forwarded,
                             char out[GRANTD_CLIENT_ADDR_LEN]);

/* req->remote_ip as the server set it from the socket (the peer), replaced by the client's
 * address when the peer is a trusted proxy (the request's headers, req->app->cfg). In the
 * request arena. */
const char *grantd_client_addr(const struct grantd_request *req);

#endif
