/* libFuzzer target for the developer console's new-application form (oauth/console_form.h):
 * an application/x-www-form-urlencoded body as a browser would POST it, turned into an admin
 * API client body and parsed by grantd_api_client_parse, as POST /console does. Beyond "no
 * crash, no leak": the body is always a JSON object with the four members, and
 * post_logout_redirect_uris only when it lists one or more; every redirect or post-logout
 * URI is one non-empty line without CR or LF and without spaces or tabs at either end; the
 * grant types and the scope are only the known grants and the issuer's scopes; and a body
 * the client parser accepts names the form's client_name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admin/body.h"
#include "admin/rules.h"
#include "core/config.h"
#include "fuzz_check.h"
#include "http/params.h"
#include "oauth/console_form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct grantd_scope_info scopes[] = {{"profile", "Your name"}, {"orders", NULL}};

static void check_uris(json_t *uris)
{
    size_t i;
    json_t *v;
    FUZZ_CHECK(json_is_array(uris));
    json_array_foreach(uris, i, v) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        FUZZ_CHECK(s && n > 0 && !strpbrk(s, "\r\n"));
        FUZZ_CHECK(s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t');
    }
}

static void check_grants_and_scope(json_t *grants, json_t *scope)
{
    size_t i;
    json_t *v;
    unsigned bits = 0;
    FUZZ_CHECK(json_is_array(grants) && json_is_string(scope));
    json_array_foreach(grants, i, v)
        FUZZ_CHECK(json_is_string(v) && grantd_rules_grant_parse(json_string_value(v), &bits));
    const char *s = json_string_value(scope);
    FUZZ_CHECK(strlen(s) <= strlen("profile orders"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_parse_limits lim;
    struct grantd_params form;
    const char *why = NULL;
    grantd_parse_limits_default(&lim);
    if (grantd_form_parse(a, (const char *)data, size, &lim, &form, &why) == GRANTD_OK) {
        const char *body = grantd_console_form_body(a, &form, scopes, 2);
        json_t *root = json_loads(body, 0, NULL);
        json_t *logout = json_object_get(root, "post_logout_redirect_uris");
        FUZZ_CHECK(json_is_object(root) &&
                   json_object_size(root) <= (logout ? 5 : 4));
        if (logout) {
            check_uris(logout);
            FUZZ_CHECK(json_array_size(logout) > 0);
        }
        if (json_object_size(root) >= 4) {
            check_uris(json_object_get(root, "redirect_uris"));
            check_grants_and_scope(json_object_get(root, "grant_types"),
                                   json_object_get(root, "scope"));
        }
        struct grantd_client c;
        if (grantd_api_client_parse(a, body, strlen(body), 0, &c, &why) == GRANTD_OK)
            FUZZ_CHECK(c.name && strcmp(c.name, grantd_params_value(&form, "name")) == 0);
        json_decref(root);
    }
    grantd_arena_free(a);
    return 0;
}
