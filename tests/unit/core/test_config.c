/* Unit tests of core/config.c: defaults, the example file, error lines, env, validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static char tmp_path[64];

/* Writes text to a fresh temporary file; returns its path (static storage). */
static const char *write_conf(const char *text)
{
    strcpy(tmp_path, "/tmp/grantd-test-config-XXXXXX");
    int fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return tmp_path;
}

static grantd_rc load_text(struct grantd_config *cfg, const char *text, char *err, size_t len)
{
    const char *path = write_conf(text);
    grantd_rc rc = grantd_config_load_file(cfg, path, err, len);
    unlink(path);
    return rc;
}

/* Loads text over defaults and expects failure with "PATH:LINE: " + needle in the message. */
static void expect_error(const char *text, int line, const char *needle)
{
    struct grantd_config cfg;
    char err[256] = "", prefix[96];
    grantd_config_defaults(&cfg);
    grantd_rc rc = load_text(&cfg, text, err, sizeof(err));
    assert_int_equal(rc, GRANTD_ECONFIG);
    snprintf(prefix, sizeof(prefix), "%s:%d: ", tmp_path, line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("error '%s' lacks '%s' or '%s'", err, prefix, needle);
    grantd_config_free(&cfg);
}

static void test_defaults(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    assert_string_equal(cfg.listen, GRANTD_DEFAULT_LISTEN);
    assert_string_equal(cfg.db_url, GRANTD_DEFAULT_DB);
    assert_string_equal(cfg.log_level, "info");
    assert_null(cfg.issuer);
    assert_int_equal(cfg.lifetimes.code, 60);
    assert_int_equal(cfg.lifetimes.access_token, 3600);
    assert_int_equal(cfg.lifetimes.refresh_token, 0);
    assert_int_equal(cfg.limits.body_bytes, 65536);
    assert_int_equal(cfg.limits.header_bytes, 16384);
    assert_int_equal(cfg.limits.max_params, 64);
    assert_int_equal(cfg.limits.max_param_name, 128);
    assert_int_equal(cfg.limits.max_param_value, 4096);
    assert_int_equal(cfg.limits.connections, 1024);
    assert_int_equal(cfg.limits.connections_per_ip, 256);
    assert_int_equal(cfg.limits.connection_timeout, 30);
    assert_int_equal(cfg.limits.header_timeout, 10);
    assert_int_equal(cfg.limits.body_timeout, 30);
    assert_int_equal(cfg.limits.threads, 0);
    assert_int_equal(grantd_config_validate(&cfg, err, sizeof(err)), GRANTD_OK);
    grantd_config_free(&cfg);
    assert_null(cfg.listen);
}

/* examples/grantd.conf lists every setting at its default: loading it changes nothing. */
static void test_example_file(void **state)
{
    char path[1024], err[256] = "";
    const char *self = __FILE__;
    const char *tail = strstr(self, "tests/unit/core/test_config.c");
    assert_non_null(tail);
    snprintf(path, sizeof(path), "%.*sexamples/grantd.conf", (int)(tail - self), self);

    struct grantd_config def, cfg;
    grantd_config_defaults(&def);
    grantd_config_defaults(&cfg);
    cfg.lifetimes.refresh_token = 42; /* "never" must bring it back to 0 */
    grantd_rc rc = grantd_config_load_file(&cfg, path, err, sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("%s", err);
    assert_string_equal(cfg.listen, def.listen);
    assert_string_equal(cfg.db_url, def.db_url);
    assert_string_equal(cfg.log_level, def.log_level);
    assert_null(cfg.issuer);
    assert_memory_equal(&cfg.lifetimes, &def.lifetimes, sizeof(def.lifetimes));
    assert_memory_equal(&cfg.limits, &def.limits, sizeof(def.limits));
    /* the example documents scopes, which have no default */
    assert_int_equal(cfg.scope_count, 3);
    assert_string_equal(grantd_config_scope_description(&cfg, "email"), "See your email address");
    assert_non_null(grantd_config_scope_description(&cfg, "openid"));
    grantd_config_free(&cfg);
    grantd_config_free(&def);
}

static void test_scopes(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    assert_int_equal(cfg.scope_count, 0);
    assert_null(grantd_config_scope_description(&cfg, "profile"));
    grantd_rc rc = load_text(&cfg,
                             "scopes = (\n  { name = \"read:orders\"; description = \"Read "
                             "<orders>\"; },\n  { name = \"x\"; description = \"\"; }\n);\n",
                             err, sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("%s", err);
    assert_int_equal(cfg.scope_count, 2);
    assert_string_equal(grantd_config_scope_description(&cfg, "read:orders"), "Read <orders>");
    assert_null(grantd_config_scope_description(&cfg, "read"));
    grantd_config_free(&cfg);

    expect_error("scopes = { a = 1; };\n", 1, "scopes must be a list");
    expect_error("\nscopes = ( \"profile\" );\n", 2, "scopes entries must be groups");
    expect_error("scopes = (\n { name = \"a b\"; description = \"x\"; }\n);\n", 2,
                 "without spaces");
    expect_error("scopes = (\n { name = \"a\"; }\n);\n", 2, "needs a description");
    expect_error("scopes = (\n { name = \"a\";\n  desc = \"x\"; }\n);\n", 3,
                 "unknown setting 'scopes.desc'");
    expect_error("scopes = ({ name = \"a\"; description = \"x\"; },\n"
                 " { name = \"a\"; description = \"y\"; });\n", 2, "listed twice");
    expect_error("lifetimes = {\n session = 59;\n};\n", 2,
                 "lifetimes.session must be between 60 and 31536000");
}

static void test_full_file(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    grantd_rc rc = load_text(&cfg,
                             "listen = \"[::1]:9000\";\n"
                             "issuer = \"https://auth.example.com/t1\";\n"
                             "db = \"sqlite:/var/lib/grantd/g.db\";\n"
                             "log_level = \"debug\";\n"
                             "lifetimes = { code = 120; access_token = 600;"
                             " refresh_token = 86400; };\n"
                             "limits = { body_bytes = 1048576; header_bytes = 8192;\n"
                             "  max_params = 32; max_param_name = 64; max_param_value = 2048;\n"
                             "  connections = 10; connections_per_ip = 2;\n"
                             "  connection_timeout = 5; threads = 4;\n"
                             "  header_timeout = 2; body_timeout = 3; };\n",
                             err, sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("%s", err);
    assert_string_equal(cfg.listen, "[::1]:9000");
    assert_string_equal(cfg.issuer, "https://auth.example.com/t1");
    assert_string_equal(cfg.db_url, "sqlite:/var/lib/grantd/g.db");
    assert_string_equal(cfg.log_level, "debug");
    assert_int_equal(cfg.lifetimes.code, 120);
    assert_int_equal(cfg.lifetimes.access_token, 600);
    assert_int_equal(cfg.lifetimes.refresh_token, 86400);
    assert_int_equal(cfg.limits.body_bytes, 1048576);
    assert_int_equal(cfg.limits.header_bytes, 8192);
    assert_int_equal(cfg.limits.max_params, 32);
    assert_int_equal(cfg.limits.max_param_name, 64);
    assert_int_equal(cfg.limits.max_param_value, 2048);
    assert_int_equal(cfg.limits.connections, 10);
    assert_int_equal(cfg.limits.connections_per_ip, 2);
    assert_int_equal(cfg.limits.connection_timeout, 5);
    assert_int_equal(cfg.limits.header_timeout, 2);
    assert_int_equal(cfg.limits.body_timeout, 3);
    assert_int_equal(cfg.limits.threads, 4);
    assert_int_equal(grantd_config_validate(&cfg, err, sizeof(err)), GRANTD_OK);
    grantd_config_free(&cfg);
}

static void test_never(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    assert_int_equal(load_text(&cfg, "lifetimes = { refresh_token = 300; };\n", err,
                               sizeof(err)), GRANTD_OK);
    assert_int_equal(cfg.lifetimes.refresh_token, 300);
    assert_int_equal(load_text(&cfg, "lifetimes = { refresh_token = \"never\"; };\n", err,
                               sizeof(err)), GRANTD_OK);
    assert_int_equal(cfg.lifetimes.refresh_token, 0);
    assert_int_equal(load_text(&cfg, "lifetimes = { refresh_token = 0x0000000012CC0300; "
                               "code = 000000000060; access_token = 7200L; };\n", err,
                               sizeof(err)), GRANTD_OK);
    assert_int_equal(cfg.lifetimes.refresh_token, 315360000);
    assert_int_equal(cfg.lifetimes.code, 60);
    assert_int_equal(cfg.lifetimes.access_token, 7200);
    grantd_config_free(&cfg);
    /* "never" only where it means something, and only that word */
    expect_error("lifetimes = {\n  code = \"never\";\n};\n", 2, "lifetimes.code must be an integer");
    expect_error("lifetimes = {\n\n refresh_token = \"Never\";\n};\n", 3,
                 "lifetimes.refresh_token must be an integer (seconds) or \"never\"");
}

static void test_syntax_error_line(void **state)
{
    expect_error("listen = \"127.0.0.1:1\";\n\ndb = ;\nlog_level = \"info\";\n", 3,
                 "syntax error");
    expect_error("limits = {\n  threads = 2;\n}};\n", 3, "syntax error");
    expect_error("limits = {\n  threads = 2;\n", 3, "syntax error");
    expect_error("listen = \"a:1\";\nlisten = \"b:2\";\n", 2, "duplicate");
}

static void test_unknown_setting_line(void **state)
{
    expect_error("listen = \"127.0.0.1:1\";\nlisen = \"x\";\n", 2, "unknown setting 'lisen'");
    expect_error("# comment\nlimits = {\n  body_bytes = 2048;\n  body_byte = 2048;\n};\n", 4,
                 "unknown setting 'limits.body_byte'");
    expect_error("lifetimes = {\n  refresh = 5;\n};\n", 2,
                 "unknown setting 'lifetimes.refresh'");
    /* a known name in the wrong group is still unknown */
    expect_error("limits = { code = 5; };\n", 1, "unknown setting 'limits.code'");
}

static void test_wrong_type_line(void **state)
{
    expect_error("\nlisten = 8080;\n", 2, "listen must be a string");
    expect_error("db = [\"sqlite:x\"];\n", 1, "db must be a string");
    expect_error("lifetimes = 5;\n", 1, "lifetimes must be a group");
    expect_error("limits = {\n threads = \"4\";\n};\n", 2, "limits.threads must be an integer");
    expect_error("limits = {\n threads = 4.0;\n};\n", 2, "limits.threads must be an integer");
    expect_error("limits = {\n\n threads = true;\n};\n", 3, "limits.threads must be an integer");
}

static void test_range_line(void **state)
{
    expect_error("limits = {\n body_bytes = 1023;\n};\n", 2,
                 "limits.body_bytes must be between 1024 and 67108864");
    expect_error("limits = {\n body_bytes = 67108865;\n};\n", 2, "between 1024 and 67108864");
    expect_error("limits = {\n header_bytes = 4095;\n};\n", 2, "between 4096 and 1048576");
    expect_error("limits = {\n connections = 0;\n};\n", 2, "between 1 and 100000");
    expect_error("limits = {\n connections_per_ip = -1;\n};\n", 2, "between 0 and 100000");
    expect_error("limits = {\n connection_timeout = 3601;\n};\n", 2, "between 1 and 3600");
    expect_error("limits = {\n header_timeout = 0;\n};\n", 2, "between 1 and 3600");
    expect_error("limits = {\n body_timeout = 3601;\n};\n", 2, "between 1 and 3600");
    expect_error("limits = {\n threads = 257;\n};\n", 2, "between 0 and 256");
    expect_error("lifetimes = {\n code = 0;\n};\n", 2, "lifetimes.code must be between 1 and 3600");
    expect_error("lifetimes = {\n access_token = 31536001;\n};\n", 2, "between 1 and 31536000");
    expect_error("lifetimes = {\n refresh_token = 5000000000L;\n};\n", 2,
                 "between 0 and 315360000 or \"never\"");
    /* libconfig 1.5 wraps 32-bit overflow silently (4294967356 would read as 60) */
    expect_error("lifetimes = {\n refresh_token = 5000000000;\n};\n", 2,
                 "integer out of range");
    expect_error("# 99999999999 in a comment is fine\nlimits = {\n threads = 4294967300;\n};\n",
                 3, "integer out of range");
    expect_error("/* 99999999999\n */ issuer = \"http://h9999999999\";\n"
                 "limits = { threads = -4294967295; };\n", 3, "integer out of range");
    expect_error("limits = {\n\n threads = 0x100000004;\n};\n", 3, "integer out of range");
    expect_error("limits = {\n threads = 0xFFFFFFFF;\n};\n", 2, "between 0 and 256");
    expect_error("limits = {\n threads = 0000000000004.5;\n};\n", 2, "must be an integer");
    /* string settings are checked at load time too, with their line */
    expect_error("\n\nlisten = \"localhost\";\n", 3, "listen must be HOST:PORT");
    expect_error("issuer = \"https://a.example/\";\n", 1, "issuer must not end with a slash");
    expect_error("log_level = \"verbose\";\n", 1, "log_level must be one of");
}

/* The profile group: standard (empty) by default; lists, switches and strings load; a
 * second file over the first replaces a list rather than appending to it; a failed load
 * keeps the old profile whole (copy and free run under ASan in CI). */
static void test_profile(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    const struct grantd_profile *p = &cfg.profile;
    assert_null(p->name);
    assert_null(p->paths.token);
    assert_null(p->token_type);
    assert_null(p->access_token_aliases);
    assert_int_equal(p->out_of_band, 1);
    assert_int_equal(p->aliases.grant_type_code + p->aliases.redirect_url +
                         p->aliases.response_type_code, 0);
    grantd_rc rc = load_text(&cfg,
                             "profile = {\n  name = \"acme-test\";\n"
                             "  paths = { token = [\"/OAuth2/token\", \"/oauth/token/\"];\n"
                             "            authorize = (\"/Account/Logon\"); };\n"
                             "  token_body = \"json\"; token_type = \"bearer\";\n"
                             "  access_token_aliases = [\"token\"];\n"
                             "  access_token_format = \"jwt\"; out_of_band = false;\n"
                             "  aliases = { grant_type_code = true; redirect_url = true; };\n"
                             "};\n",
                             err, sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("%s", err);
    assert_string_equal(p->name, "acme-test");
    assert_string_equal(p->paths.token[0], "/OAuth2/token");
    assert_string_equal(p->paths.token[1], "/oauth/token/");
    assert_null(p->paths.token[2]);
    assert_string_equal(p->paths.authorize[0], "/Account/Logon");
    assert_null(p->paths.introspect);
    assert_string_equal(p->token_body, "json");
    assert_string_equal(p->token_type, "bearer");
    assert_string_equal(p->access_token_aliases[0], "token");
    assert_string_equal(p->access_token_format, "jwt");
    assert_int_equal(p->out_of_band, 0);
    assert_int_equal(p->aliases.grant_type_code, 1);
    assert_int_equal(p->aliases.redirect_url, 1);
    assert_int_equal(p->aliases.response_type_code, 0);
    assert_int_equal(grantd_config_validate(&cfg, err, sizeof(err)), GRANTD_OK);

    rc = load_text(&cfg, "profile = { paths = { token = [\"/t\"]; }; };\n", err, sizeof(err));
    assert_int_equal(rc, GRANTD_OK);
    assert_string_equal(p->paths.token[0], "/t");
    assert_null(p->paths.token[1]);
    assert_string_equal(p->token_type, "bearer"); /* untouched by the second file */

    assert_int_equal(load_text(&cfg, "profile = { token_type = \"bearer\";\n"
                                     "paths = { revoke = [\"no-slash\"]; }; };\n",
                               err, sizeof(err)),
                     GRANTD_ECONFIG);
    assert_string_equal(p->paths.token[0], "/t");
    assert_null(p->paths.revoke);
    grantd_config_free(&cfg);

    expect_error("profile = {\n paths = { token = [\"/a\", \"/a\"]; };\n};\n", 2,
                 "'/a' is listed twice");
    expect_error("profile = { paths = {\n token = [];\n}; };\n", 2, "list of 1 to 8 strings");
    expect_error("profile = { paths = { token = [\"/a//b\"]; }; };\n", 1, "must be a path");
    expect_error("profile = { paths = { token = [\"/a b\"]; }; };\n", 1, "must be a path");
    expect_error("profile = { paths = { userinfo = [\"/me\"]; }; };\n", 1,
                 "unknown setting 'profile.paths.userinfo'");
    expect_error("profile = { token_type = \"MAC\"; };\n", 1, "spelling of Bearer");
    expect_error("profile = { token_body = \"xml\"; };\n", 1, "form, json or both");
    expect_error("profile = { access_token_format = \"paseto\"; };\n", 1, "opaque or jwt");
    expect_error("profile = { access_token_aliases = [\"expires_in\"]; };\n", 1,
                 "standard token-response member");
    expect_error("profile = { out_of_band = 1; };\n", 1, "true or false");
    expect_error("profile = { name = \"a b\"; };\n", 1, "profile.name must be");
}

/* profile.api_errors: five groups sharing one member table, each landing in its reason's
 * slot (a wrong group offset would put every reason's answer in the first one). */
static void test_api_errors(void **state)
{
    (void)state;
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    grantd_rc rc = load_text(&cfg,
                             "profile = { api_errors = {\n"
                             "  missing = { status = 401; body = \"m\"; };\n"
                             "  invalid = { status = 402; body = \"i\"; };\n"
                             "  expired = { status = 403; content_type = \"text/plain\"; };\n"
                             "  revoked = { status = 404; body = \"r\"; };\n"
                             "  insufficient_scope = { status = 405; body = \"s\"; };\n"
                             "}; };\n",
                             err, sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("%s", err);
    const struct grantd_api_error *e = cfg.profile.api_errors;
    static const char *const bodies[] = {"m", "i", NULL, "r", "s"};
    for (int i = 0; i < GRANTD_CHECK_REASON_COUNT; i++) {
        assert_int_equal(e[i].status, 401 + i);
        if (bodies[i])
            assert_string_equal(e[i].body, bodies[i]);
        else
            assert_null(e[i].body);
    }
    assert_string_equal(e[GRANTD_CHECK_EXPIRED].content_type, "text/plain");
    assert_null(e[GRANTD_CHECK_MISSING].content_type);
    assert_int_equal(grantd_config_validate(&cfg, err, sizeof(err)), GRANTD_OK);
    grantd_config_free(&cfg);

    expect_error("profile = { api_errors = {\n revoked = { status = 600; }; }; };\n", 2,
                 "profile.api_errors.revoked.status");
    expect_error("profile = { api_errors = { expired = {\n colour = 1; }; }; };\n", 2,
                 "unknown setting 'profile.api_errors.expired.colour'");
    expect_error("profile = { api_errors = { invalid = {\n content_type = \"a\\nb\"; }; }; };\n",
                 2, "content_type");
}

/* rate_limits (issue 16): on by default; set in the file or in an issuer's profile text,
 * with ranges, and 0 turns a limit off. */
static void test_rate_limits(void **state)
{
    (void)state;
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    assert_int_equal(cfg.rate_limits.login.failures, 3);
    assert_int_equal(cfg.rate_limits.login.max_delay, 30);
    assert_int_equal(cfg.rate_limits.address.failures, 30);
    assert_int_equal(cfg.rate_limits.client.failures, 10);
    assert_int_equal(cfg.rate_limits.introspect.rate, 1000);
    assert_int_equal(cfg.rate_limits.check.rate, 0);
    assert_int_equal(load_text(&cfg, "rate_limits = { login = { failures = 5; window = 60; "
                                     "max_delay = 10; }; client = { failures = 0; }; };\n",
                               err, sizeof(err)),
                     GRANTD_OK);
    assert_int_equal(cfg.rate_limits.login.failures, 5);
    assert_int_equal(cfg.rate_limits.login.window, 60);
    assert_int_equal(cfg.rate_limits.login.max_delay, 10);
    assert_int_equal(cfg.rate_limits.client.failures, 0);
    assert_int_equal(cfg.rate_limits.client.window, 300); /* untouched */
    assert_int_equal(grantd_config_load_issuer(
                         &cfg, "rate_limits = { introspect = { rate = 7; }; };",
                         "tenant", err, sizeof(err)),
                     GRANTD_OK);
    assert_int_equal(cfg.rate_limits.introspect.rate, 7);
    grantd_config_free(&cfg);
    expect_error("rate_limits = {\n login = { max_delay = 0; };\n};\n", 2,
                 "rate_limits.login.max_delay must be between 1 and 3600");
    expect_error("rate_limits = { lockout = 1; };\n", 1, "rate_limits.lockout");
}

static void test_failed_load_changes_nothing(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    assert_int_equal(load_text(&cfg, "listen = \"10.0.0.1:1\";\nlimits = { threads = 999; };\n",
                               err, sizeof(err)), GRANTD_ECONFIG);
    assert_string_equal(cfg.listen, GRANTD_DEFAULT_LISTEN);
    assert_int_equal(cfg.limits.threads, 0);
    grantd_config_free(&cfg);
}

static void test_missing_file(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    assert_int_equal(grantd_config_load_file(&cfg, "/nonexistent/grantd.conf", err, sizeof(err)),
                     GRANTD_EIO);
    assert_non_null(strstr(err, "/nonexistent/grantd.conf: "));
    assert_int_equal(grantd_config_load_file(&cfg, "/tmp", err, sizeof(err)), GRANTD_EIO);
    grantd_config_free(&cfg);
}

static void test_env_overrides_file(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    assert_int_equal(load_text(&cfg, "listen = \"127.0.0.1:1111\";\ndb = \"sqlite:file.db\";\n"
                               "issuer = \"http://file.example\";\n", err, sizeof(err)),
                     GRANTD_OK);
    setenv("GRANTD_LISTEN", "127.0.0.1:2222", 1);
    setenv("GRANTD_DB", "sqlite:env.db", 1);
    setenv("GRANTD_ISSUER", "", 1); /* empty = absent */
    grantd_config_apply_env(&cfg);
    assert_string_equal(cfg.listen, "127.0.0.1:2222");
    assert_string_equal(cfg.db_url, "sqlite:env.db");
    assert_string_equal(cfg.issuer, "http://file.example");
    setenv("GRANTD_ISSUER", "https://env.example", 1);
    grantd_config_apply_env(&cfg);
    assert_string_equal(cfg.issuer, "https://env.example");
    unsetenv("GRANTD_LISTEN");
    unsetenv("GRANTD_DB");
    unsetenv("GRANTD_ISSUER");
    grantd_config_free(&cfg);
}

/* Sets one string field on a valid config and expects validate's verdict. */
static void check_valid(char **(*pick)(struct grantd_config *), const char *value, int ok,
                        const char *needle)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    grantd_config_set(pick(&cfg), value);
    grantd_rc rc = grantd_config_validate(&cfg, err, sizeof(err));
    if ((rc == GRANTD_OK) != ok)
        fail_msg("'%s': expected %s, got '%s'", value ? value : "(null)", ok ? "ok" : "error",
                 err);
    if (!ok && needle && !strstr(err, needle))
        fail_msg("'%s': error '%s' lacks '%s'", value, err, needle);
    grantd_config_free(&cfg);
}

static char **pick_listen(struct grantd_config *c) { return &c->listen; }
static char **pick_issuer(struct grantd_config *c) { return &c->issuer; }
static char **pick_db(struct grantd_config *c) { return &c->db_url; }
static char **pick_level(struct grantd_config *c) { return &c->log_level; }

static void test_validate(void **state)
{
    check_valid(pick_listen, "0.0.0.0:1", 1, NULL);
    check_valid(pick_listen, "localhost:65535", 1, NULL);
    check_valid(pick_listen, "[::]:8080", 1, NULL);
    check_valid(pick_listen, "127.0.0.1:0", 1, NULL); /* a free port, chosen by the kernel */
    check_valid(pick_listen, "127.0.0.1:65536", 0, "listen '127.0.0.1:65536'");
    check_valid(pick_listen, "127.0.0.1:000080", 0, "port from 0 to 65535");
    check_valid(pick_listen, "127.0.0.1:", 0, NULL);
    check_valid(pick_listen, ":8080", 0, NULL);
    check_valid(pick_listen, "::1:8080", 0, NULL);
    check_valid(pick_listen, "[::1]8080", 0, NULL);
    check_valid(pick_listen, "[]:8080", 0, NULL);
    check_valid(pick_listen, "host:80a", 0, NULL);
    check_valid(pick_listen, "host:+80", 0, NULL);
    check_valid(pick_listen, "ho st:80", 0, NULL);
    check_valid(pick_listen, NULL, 0, "listen is not set");

    check_valid(pick_issuer, NULL, 1, NULL);
    check_valid(pick_issuer, "https://auth.example.com", 1, NULL);
    check_valid(pick_issuer, "http://127.0.0.1:8080/tenant/a", 1, NULL);
    check_valid(pick_issuer, "https://auth.example.com/", 0, "must not end with a slash");
    check_valid(pick_issuer, "https://auth.example.com?x=1", 0, "query or a fragment");
    check_valid(pick_issuer, "https://auth.example.com#f", 0, "query or a fragment");
    check_valid(pick_issuer, "ftp://auth.example.com", 0, "absolute http");
    check_valid(pick_issuer, "auth.example.com", 0, "absolute http");
    check_valid(pick_issuer, "", 0, "absolute http");
    check_valid(pick_issuer, "https://", 0, "must have a host");
    check_valid(pick_issuer, "https:///x", 0, "must have a host");
    check_valid(pick_issuer, "https://u@auth.example.com", 0, "userinfo");
    check_valid(pick_issuer, "https://auth.example .com", 0, "whitespace");

    check_valid(pick_db, "sqlite::memory:", 1, NULL);
    check_valid(pick_db, "postgresql://u:secret@h/db", 1, NULL);
    check_valid(pick_db, "grantd.db", 0, "database URL must start with a scheme");
    check_valid(pick_db, "sqlite:", 0, "nothing after its scheme");
    check_valid(pick_db, "1sqlite:x", 0, "scheme");
    check_valid(pick_db, "/abs/path:secret", 0, "scheme");

    check_valid(pick_level, "warn", 1, NULL);
    check_valid(pick_level, "WARN", 0, "log_level 'WARN' must be one of");
}

static void test_validate_ranges(void **state)
{
    struct grantd_config cfg;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    cfg.limits.body_bytes = 10;
    assert_int_equal(grantd_config_validate(&cfg, err, sizeof(err)), GRANTD_ECONFIG);
    assert_string_equal(err, "limits.body_bytes must be between 1024 and 67108864");
    cfg.limits.body_bytes = GRANTD_DEFAULT_BODY_BYTES;
    cfg.lifetimes.code = 0;
    assert_int_equal(grantd_config_validate(&cfg, err, sizeof(err)), GRANTD_ECONFIG);
    assert_string_equal(err, "lifetimes.code must be between 1 and 3600");
    grantd_config_free(&cfg);
}

static void test_listen_parse(void **state)
{
    char host[64];
    unsigned port = 0;
    assert_int_equal(grantd_config_listen_parse("127.0.0.1:8080", host, sizeof(host), &port),
                     GRANTD_OK);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_int_equal(grantd_config_listen_parse("[::1]:443", host, sizeof(host), &port),
                     GRANTD_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 443);
    assert_int_equal(grantd_config_listen_parse("[::1]:443", host, 3, &port), GRANTD_EINVAL);
    assert_int_equal(grantd_config_listen_parse(NULL, host, sizeof(host), &port), GRANTD_EINVAL);
    assert_int_equal(grantd_config_listen_parse("[::1:443", host, sizeof(host), &port),
                     GRANTD_EINVAL);
}

/* registration: off by default; mode and the metadata allow-list checked while loading; a
 * copy keeps them; a tenant's profile text may set them (per issuer). */
static void test_registration(void **state)
{
    struct grantd_config cfg, copy;
    char err[256] = "";
    grantd_config_defaults(&cfg);
    assert_string_equal(cfg.registration.mode, "off");
    assert_null(cfg.registration.metadata);
    assert_int_equal(grantd_config_registration(&cfg), 0);
    grantd_rc rc = load_text(&cfg,
                             "registration = { mode = \"token\";\n"
                             "  metadata = [\"client_name\", \"redirect_uris\", \"grant_types\",\n"
                             "    \"response_types\", \"scope\", \"token_endpoint_auth_method\",\n"
                             "    \"client_uri\", \"logo_uri\", \"contacts\", \"tos_uri\",\n"
                             "    \"policy_uri\", \"post_logout_redirect_uris\",\n"
                             "    \"id_token_signed_response_alg\"]; };\n",
                             err, sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("%s", err);
    assert_int_equal(grantd_config_registration(&cfg), 1);
    assert_string_equal(cfg.registration.metadata[10], "policy_uri");
    assert_string_equal(cfg.registration.metadata[12], "id_token_signed_response_alg");
    assert_null(cfg.registration.metadata[13]);
    grantd_config_copy(&copy, &cfg);
    grantd_config_free(&cfg);
    assert_int_equal(grantd_config_registration(&copy), 1);
    assert_string_equal(copy.registration.metadata[0], "client_name");
    rc = grantd_config_load_issuer(&copy, "registration = { mode = \"open\"; };\n", "t1", err,
                                   sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("%s", err);
    assert_int_equal(grantd_config_registration(&copy), 2);
    grantd_config_free(&copy);
    expect_error("registration = { mode = \"on\"; };\n", 1, "must be off, token or open");
    expect_error("registration = {\n  metadata = [\"client_name\", \"jwks_uri\"]; };\n", 2,
                 "'jwks_uri' is not a member /register can accept");
    expect_error("registration = { metadata = [\"scope\", \"scope\"]; };\n", 1,
                 "listed twice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_never),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_syntax_error_line),
        cmocka_unit_test(test_unknown_setting_line),
        cmocka_unit_test(test_wrong_type_line),
        cmocka_unit_test(test_range_line),
        cmocka_unit_test(test_failed_load_changes_nothing),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_env_overrides_file),
        cmocka_unit_test(test_api_errors),
        cmocka_unit_test(test_rate_limits),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_validate_ranges),
        cmocka_unit_test(test_listen_parse),
        cmocka_unit_test(test_registration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
