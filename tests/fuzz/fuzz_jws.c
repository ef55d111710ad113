/* libFuzzer target for the compact JWS the keyring verifies for OpenID Connect (an
 * id_token_hint is one: text from the network), grantd_keyring_verify_jws, and for
 * grantd_keyring_sign_jws's payload check.
 *
 * One keyring on an in-memory SQLite store with an ES256 and an RS256 key, made once. Each
 * input is used three ways: as presented JWS text; as the bytes of a JWS's protected header
 * (the header is read before the signature is checked); and as a payload to sign.
 * Invariants: nothing crashes or leaks; a JWS that verifies has a JSON object for payload;
 * a header with a signature no key made never verifies; a payload signs exactly when it is
 * a JSON object's text, and verifies back to the same text and typ with either alg. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "fuzz_assert.h"
#include "token/jwt_int.h"
#include "token/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1700000000

static struct grantd_keyring *kr;
static struct grantd_config cfg;

static void init(void)
{
    static struct grantd_store *store;
    char err[256];
    int from, to;
    if (kr)
        return;
    grantd_config_defaults(&cfg);
    grantd_config_set(&cfg.keys.master_key, "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=");
    FUZZ_CHECK(grantd_store_open("sqlite::memory:", &store, err, sizeof(err)) == GRANTD_OK);
    FUZZ_CHECK(grantd_store_migrate(store, NOW, &from, &to) == GRANTD_OK);
    FUZZ_CHECK(grantd_keyring_open(store, &cfg, GRANTD_DEFAULT_TENANT, NOW, &kr, err,
                                   sizeof(err)) == GRANTD_OK);
    struct grantd_arena *a = grantd_arena_new(4096);
    const char *jws = NULL;
    FUZZ_CHECK(grantd_keyring_sign_jws(kr, a, NOW, "RS256", NULL, "{}", &jws) == GRANTD_OK);
    grantd_arena_free(a);
}

static int is_object(const char *text)
{
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    int ok = json_is_object(j);
    json_decref(j);
    return ok;
}

static void verify(struct grantd_arena *a, const char *jws)
{
    const char *payload = NULL, *typ = NULL;
    if (grantd_keyring_verify_jws(kr, a, NOW, jws, &payload, &typ) == GRANTD_OK)
        FUZZ_CHECK(payload && is_object(payload));
    else
        FUZZ_CHECK(!payload && !typ);
}

/* The input as the protected header's bytes (base64url-encoded here, so the header reader
 * sees arbitrary JSON, or none), with the payload {} and a signature that is no key's: the
 * header is read before the signature is checked, and nothing verifies. */
static void as_header(struct grantd_arena *a, const uint8_t *data, size_t size)
{
    static const char tail[] = ".e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    size_t h64 = grantd_b64url_len(size);
    char *jws = grantd_arena_alloc(a, h64 + sizeof(tail) + 1);
    grantd_b64url_encode(data, size, jws);
    memcpy(jws + h64, tail, sizeof(tail));
    const char *payload = NULL, *typ = NULL;
    FUZZ_CHECK(grantd_keyring_verify_jws(kr, a, NOW, jws, &payload, &typ) == GRANTD_EINVAL);
    FUZZ_CHECK(!payload && !typ);
}

/* The input as a payload: signs only when it is a JSON object's text, and verifies back. */
static void signed_payload(struct grantd_arena *a, const char *text)
{
    const char *jws = NULL, *payload = NULL, *typ = NULL;
    static const char *const algs[] = {"ES256", "RS256"};
    for (size_t i = 0; i < 2; i++) {
        grantd_rc rc = grantd_keyring_sign_jws(kr, a, NOW, algs[i], "JWT", text, &jws);
        FUZZ_CHECK((rc == GRANTD_OK) == is_object(text));
        if (rc != GRANTD_OK)
            continue;
        FUZZ_CHECK(grantd_keyring_verify_jws(kr, a, NOW, jws, &payload, &typ) == GRANTD_OK);
        FUZZ_CHECK(strcmp(payload, text) == 0 && typ && strcmp(typ, "JWT") == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    init();
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct grantd_arena *a = grantd_arena_new(4096);
    verify(a, text);
    as_header(a, data, size);
    if (strlen(text) == size)
        signed_payload(a, text);
    grantd_arena_free(a);
    free(text);
    return 0;
}
