/* grantd user create | update | passwd | disable | enable | list: the users who log in on
 * grantd's pages, and their OpenID Connect claims (the flags are user_claims.c's). Passwords
 * come from stdin (or a prompt on a terminal) and are stored only as argon2id hashes
 * (user_password.c); nothing here prints a password or a hash. */
#include <stdio.h>
#include <string.h>

#include "admin/rules.h"
#include "cli/admin.h"
#include "cli/user_int.h"
#include "core/clock.h"


#define COMMON_HELP                                                                          \
    "  --config FILE    configuration file\n"                                                \
    "  --db URL         database URL (e.g. sqlite:grantd.db)\n"                              \
    "  --tenant NAME    the issuer (grantd tenant list; default: the default tenant)\n"      \
    "  --help           this text\n"

static const char create_usage[] =
    "Usage: grantd user create --username NAME [--account ID] [--email ADDRESS] [--developer]\n"
    "                          [--name TEXT] ... [--json] [--config FILE] [--db URL]\n\n"
    "Creates a user. The password is read from the first line of standard input (from a\n"
    "terminal: prompted for, twice, without echo) and stored as an argon2id hash.\n"
    "  printf '%s\\n' \"$PASSWORD\" | grantd user create --username alice\n\nOptions:\n"
    "  --username NAME  login name: 1..128 printable ASCII characters, no spaces (required)\n"
    "  --account ID     the account (organisation) the user belongs to\n"
    "  --email ADDRESS  e-mail address\n"
    "  --developer      may register applications in the developer console (/console)\n"
    GRANTD_CLI_CLAIMS_HELP
    "  --json           print one JSON object\n" COMMON_HELP;
static const char update_usage[] =
    "Usage: grantd user update USERNAME [--account ID] [--email ADDRESS] [--name TEXT] ...\n"
    "                          [--json] [--config FILE] [--db URL]\n\n"
    "Sets what the flags give and keeps the rest; an empty value clears (--email '').\n"
    "  grantd user update alice --name 'Alice Liddell' --locale en-GB --phone-number ''\n\n"
    "Options:\n"
    "  --account ID     the account (organisation) the user belongs to\n"
    "  --email ADDRESS  e-mail address\n" GRANTD_CLI_CLAIMS_HELP
    "  --json           print one JSON object\n" COMMON_HELP;
static const char passwd_usage[] =
    "Usage: grantd user passwd USERNAME [--config FILE] [--db URL]\n\n"
    "Sets a user's password, read like `user create` reads it.\n\nOptions:\n" COMMON_HELP;
static const char disable_usage[] =
    "Usage: grantd user disable USERNAME [--config FILE] [--db URL]\n\n"
    "Disables a user: they can no longer log in.\n\nOptions:\n" COMMON_HELP;
static const char enable_usage[] =
    "Usage: grantd user enable USERNAME [--config FILE] [--db URL]\n\n"
    "Enables a disabled user again.\n\nOptions:\n" COMMON_HELP;
static const char list_usage[] =
    "Usage: grantd user list [--json] [--config FILE] [--db URL]\n\n"
    "Lists the users, oldest first.\n\nOptions:\n"
    "  --json           print one JSON array\n" COMMON_HELP;

static json_t *user_json(const struct grantd_user *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(u->id));
    json_object_set_new(o, "username", json_string(u->username));
    json_object_set_new(o, "account", u->account ? json_string(u->account) : json_null());
    json_object_set_new(o, "email", u->email ? json_string(u->email) : json_null());
    json_object_set_new(o, "disabled", json_boolean(u->disabled));
    json_object_set_new(o, "developer", json_boolean(u->developer));
    grantd_claims_to_json(u, o);
    json_object_set_new(o, "created_at", json_integer(u->created_at));
    return o;
}

static void user_print(const struct grantd_user *u)
{
    char created[32];
    grantd_admin_format_time(u->created_at, created);
    grantd_admin_print_kv("id", u->id);
    grantd_admin_print_kv("username", u->username);
    grantd_admin_print_kv("account", u->account ? u->account : "");
    grantd_admin_print_kv("email", u->email ? u->email : "");
    grantd_admin_print_kv("disabled", u->disabled ? "true" : "false");
    grantd_admin_print_kv("developer", u->developer ? "true" : "false");
    json_t *claims = json_object(), *v;
    const char *name;
    grantd_claims_to_json(u, claims);
    json_object_foreach(claims, name, v) {
        if (json_is_string(v))
            grantd_admin_print_kv(name, json_string_value(v));
        else if (json_is_true(v))
            grantd_admin_print_kv(name, "true");
    }
    json_decref(claims);
    grantd_admin_print_kv("created_at", created);
}

static int user_fail(const char *cmd, const char *username, grantd_rc rc)
{
    if (rc == GRANTD_ENOTFOUND)
        return grantd_admin_fail(cmd, "user '%s' not found", username);
    if (rc == GRANTD_EEXIST)
        return grantd_admin_fail(cmd, "user '%s' already exists", username);
    return grantd_admin_store_fail(cmd, "database", rc);
}

/* ---- user create ---- */

/* The arguments of user create, and of user update (whose USERNAME is positional). */
struct create_args {
    struct grantd_admin_args a;
    const char *username, *account, *email;
    struct grantd_cli_claims claims;
    int json, developer;
};

/* Room for a command's options: its own, then the claim flags, then the end. */
#define OPTS_MAX (16 + GRANTD_CLAIM_COUNT)

/* out (OPTS_MAX entries) = fixed (count entries, count <= 15), the claim flags, the end. */
static void with_claims(const struct option *fixed, size_t count, struct option *out)
{
    size_t n = count;
    memcpy(out, fixed, count * sizeof(*fixed));
    grantd_cli_claim_options(out, &n);
    memset(&out[n], 0, sizeof(*out));
}

static int create_option(void *ctx, int opt)
{
    struct create_args *c = ctx;
    int claim = grantd_cli_claim_option(c->a.cmd, &c->claims, opt, optarg);
    if (claim >= 0)
        return claim;
    const char **slot = opt == 'u' ? &c->username : opt == 'A' ? &c->account : &c->email;
    const char *name = opt == 'u' ? "--username" : opt == 'A' ? "--account" : "--email";
    if (opt == 'j' || opt == 'D') {
        *(opt == 'j' ? &c->json : &c->developer) = 1;
        return GRANTD_EXIT_OK;
    }
    if (*slot)
        return grantd_cli_usage_error(c->a.cmd, "%s given twice", name);
    *slot = optarg;
    return GRANTD_EXIT_OK;
}

static int validate_create(const struct create_args *c)
{
    const char *cmd = c->a.cmd;
    if (!c->username)
        return grantd_cli_usage_error(cmd, "--username is required");
    const char *why;
    if ((why = grantd_rules_username_why(c->username)) != NULL)
        return grantd_cli_usage_error(cmd, "--username %s", why);
    if (c->account && (why = grantd_rules_username_why(c->account)) != NULL)
        return grantd_cli_usage_error(cmd, "--account %s", why);
    if (c->email && (why = grantd_rules_email_why(c->email)) != NULL)
        return grantd_cli_usage_error(cmd, "--email %s", why);
    struct grantd_user scratch = {0};
    return grantd_cli_claims_apply(cmd, &c->claims, &scratch);
}

static int parse_create(struct create_args *c, int argc, char **argv)
{
    static const struct option fixed[] = {
        GRANTD_ADMIN_COMMON_OPTIONS,
        {"username", required_argument, NULL, 'u'},
        {"account", required_argument, NULL, 'A'},
        {"email", required_argument, NULL, 'e'},
        {"developer", no_argument, NULL, 'D'},
        {"json", no_argument, NULL, 'j'},
    };
    struct option opts[OPTS_MAX];
    with_claims(fixed, sizeof(fixed) / sizeof(fixed[0]), opts);
    int rc = grantd_admin_options(&c->a, argc, argv, opts, create_option, c);
    if (rc == GRANTD_EXIT_OK)
        rc = grantd_admin_positionals(&c->a, argc, argv, 0, 0, "");
    return rc == GRANTD_EXIT_OK ? validate_create(c) : rc;
}

static int user_create(int argc, char **argv)
{
    struct create_args c;
    struct grantd_admin_session s;
    struct grantd_user u;
    char password[GRANTD_PASSWORD_BUF], hash[GRANTD_PASSWORD_HASH_LEN], id[32];
    memset(&c, 0, sizeof(c));
    password[0] = hash[0] = '\0';
    grantd_admin_args_init(&c.a, "user create", create_usage);
    int rc = parse_create(&c, argc, argv);
    if (rc == GRANTD_EXIT_OK)
        rc = grantd_cli_read_password(c.a.cmd, password, sizeof(password));
    if (rc == GRANTD_EXIT_OK && (grantd_password_hash(password, hash) != GRANTD_OK ||
                                 grantd_rules_random_id(id) != GRANTD_OK))
        rc = grantd_admin_fail(c.a.cmd, "cannot hash the password or generate the user id");
    rc = grantd_admin_start(&s, &c.a, rc);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    memset(&u, 0, sizeof(u));
    u.tenant = s.tenant;
    u.id = id;
    u.username = c.username;
    u.account = c.account;
    u.email = c.email;
    u.password_hash = hash;
    u.developer = c.developer;
    u.created_at = u.updated_at = grantd_clock_now();
    if ((rc = grantd_cli_password_allowed(c.a.cmd, &s.cfg, c.username, password)) !=
        GRANTD_EXIT_OK)
        goto out;
    if ((rc = grantd_cli_claims_apply(c.a.cmd, &c.claims, &u)) != GRANTD_EXIT_OK)
        goto out; /* validate_create checked them: not reached */
    grantd_rc src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, -1, "user.create", "user", u.id,
                                     u.developer ? json_pack("{s:s,s:b}", "username",
                                                             u.username, "developer", 1)
                                                 : json_pack("{s:s}", "username", u.username),
                                     grantd_store_user_put(s.store, &u));
    if (src != GRANTD_OK) {
        rc = user_fail(c.a.cmd, c.username, src);
        goto out;
    }
    if (c.json)
        grantd_admin_print_json(user_json(&u));
    else
        user_print(&u);
    rc = grantd_admin_finish(c.a.cmd, GRANTD_EXIT_OK);
out:
    explicit_bzero(password, sizeof(password));
    explicit_bzero(hash, sizeof(hash));
    return grantd_admin_end(&s, rc);
}

/* ---- user update ---- */

static int parse_update(struct create_args *c, int argc, char **argv)
{
    static const struct option fixed[] = {
        GRANTD_ADMIN_COMMON_OPTIONS,
        {"account", required_argument, NULL, 'A'},
        {"email", required_argument, NULL, 'e'},
        {"json", no_argument, NULL, 'j'},
    };
    struct option opts[OPTS_MAX];
    with_claims(fixed, sizeof(fixed) / sizeof(fixed[0]), opts);
    int rc = grantd_admin_options(&c->a, argc, argv, opts, create_option, c);
    if (rc == GRANTD_EXIT_OK)
        rc = grantd_admin_positionals(&c->a, argc, argv, 1, 1, "USERNAME");
    if (rc != GRANTD_EXIT_OK)
        return rc;
    c->username = argv[optind];
    const char *cmd = c->a.cmd, *why;
    struct grantd_cli_claims none = {{0}};
    if (!c->account && !c->email && memcmp(&c->claims, &none, sizeof(none)) == 0)
        return grantd_cli_usage_error(cmd, "nothing to update (see --help)");
    if ((why = grantd_rules_username_why(c->username)) != NULL)
        return grantd_cli_usage_error(cmd, "USERNAME %s", why);
    if (c->account && *c->account && (why = grantd_rules_username_why(c->account)) != NULL)
        return grantd_cli_usage_error(cmd, "--account %s", why);
    if (c->email && *c->email && (why = grantd_rules_email_why(c->email)) != NULL)
        return grantd_cli_usage_error(cmd, "--email %s", why);
    struct grantd_user scratch = {0};
    return grantd_cli_claims_apply(cmd, &c->claims, &scratch);
}

/* What the audit trail says an update changed: the names of the members, never values. */
static json_t *update_members(const struct create_args *c)
{
    json_t *members = json_array();
    if (c->account)
        json_array_append_new(members, json_string("account"));
    if (c->email)
        json_array_append_new(members, json_string("email"));
    grantd_cli_claims_members(&c->claims, members);
    return json_pack("{s:o}", "members", members);
}

static int user_update(int argc, char **argv)
{
    struct create_args c;
    struct grantd_admin_session s;
    struct grantd_user u;
    memset(&c, 0, sizeof(c));
    memset(&u, 0, sizeof(u));
    grantd_admin_args_init(&c.a, "user update", update_usage);
    int rc = grantd_admin_start(&s, &c.a, parse_update(&c, argc, argv));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    grantd_rc src = grantd_store_user_find(s.store, s.arena, s.tenant, c.username, &u);
    struct grantd_user before = u;
    if (src == GRANTD_OK && (rc = grantd_cli_claims_apply(c.a.cmd, &c.claims, &u)) != 0)
        goto out; /* parse_update checked them: not reached */
    if (c.account)
        u.account = *c.account ? c.account : NULL;
    if (c.email)
        u.email = *c.email ? c.email : NULL;
    grantd_claims_unverify_changed(&before, &u,
                                   c.claims.value[grantd_claim_find("email_verified")] != NULL,
                                   c.claims.value[grantd_claim_find("phone_number_verified")] !=
                                       NULL);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, -1, "user.update", "user", u.id, update_members(&c),
                                     grantd_store_user_update(s.store, &u, grantd_clock_now()));
    if (src != GRANTD_OK) {
        rc = user_fail(c.a.cmd, c.username, src);
        goto out;
    }
    if (c.json)
        grantd_admin_print_json(user_json(&u));
    else
        user_print(&u);
    rc = grantd_admin_finish(c.a.cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

/* ---- passwd, disable, enable ---- */

/* Parses the common options and one USERNAME. Returns GRANTD_EXIT_OK, -1 after --help, or a
 * usage error. */
static int parse_username(struct grantd_admin_args *a, int argc, char **argv,
                          const char **username)
{
    static const struct option opts[] = {GRANTD_ADMIN_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int opt = grantd_admin_getopt(a, argc, argv, opts);
    if (opt == GRANTD_ADMIN_STOP)
        return grantd_admin_stopped(a);
    int rc = grantd_admin_positionals(a, argc, argv, 1, 1, "USERNAME");
    if (rc != GRANTD_EXIT_OK)
        return rc;
    *username = argv[optind];
    const char *why = grantd_rules_username_why(*username);
    if (why)
        return grantd_cli_usage_error(a->cmd, "USERNAME %s", why);
    return GRANTD_EXIT_OK;
}

/* The id (subject) of the user named username, which the audit trail names. */
static grantd_rc user_id(struct grantd_admin_session *s, const char *username, const char **id)
{
    struct grantd_user u;
    grantd_rc rc = grantd_store_user_find(s->store, s->arena, s->tenant, username, &u);
    if (rc == GRANTD_OK)
        *id = u.id;
    return rc;
}

static int user_passwd(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    char password[GRANTD_PASSWORD_BUF], hash[GRANTD_PASSWORD_HASH_LEN];
    const char *username = NULL;
    password[0] = hash[0] = '\0';
    grantd_admin_args_init(&a, "user passwd", passwd_usage);
    int rc = parse_username(&a, argc, argv, &username);
    if (rc == GRANTD_EXIT_OK)
        rc = grantd_cli_read_password(a.cmd, password, sizeof(password));
    if (rc == GRANTD_EXIT_OK && grantd_password_hash(password, hash) != GRANTD_OK)
        rc = grantd_admin_fail(a.cmd, "cannot hash the password");
    rc = grantd_admin_start(&s, &a, rc);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    if ((rc = grantd_cli_password_allowed(a.cmd, &s.cfg, username, password)) !=
        GRANTD_EXIT_OK)
        goto out;
    const char *uid = NULL;
    grantd_rc src = user_id(&s, username, &uid);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, -1, "user.password", "user", uid, NULL,
                                     grantd_store_user_set_password(s.store, s.tenant, username,
                                                                    hash, grantd_clock_now()));
    if (src != GRANTD_OK) {
        rc = user_fail(a.cmd, username, src);
        goto out;
    }
    printf("password of user '%s' changed\n", username);
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    explicit_bzero(password, sizeof(password));
    explicit_bzero(hash, sizeof(hash));
    return grantd_admin_end(&s, rc);
}

static int set_disabled(int argc, char **argv, const char *cmd, const char *usage, int disabled)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    const char *username = NULL;
    grantd_admin_args_init(&a, cmd, usage);
    int rc = grantd_admin_start(&s, &a, parse_username(&a, argc, argv, &username));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    const char *uid = NULL;
    grantd_rc src = user_id(&s, username, &uid);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, -1, disabled ? "user.disable" : "user.enable", "user",
                                     uid, NULL,
                                     grantd_store_user_set_disabled(s.store, s.tenant, username,
                                                                    disabled,
                                                                    grantd_clock_now()));
    if (src != GRANTD_OK) {
        rc = user_fail(a.cmd, username, src);
        goto out;
    }
    grantd_admin_wait_caches();
    printf("user '%s' %s\n", username, disabled ? "disabled" : "enabled");
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

static int user_disable(int argc, char **argv)
{
    return set_disabled(argc, argv, "user disable", disable_usage, 1);
}

static int user_enable(int argc, char **argv)
{
    return set_disabled(argc, argv, "user enable", enable_usage, 0);
}

/* ---- list ---- */

static void print_table(struct grantd_admin_session *s, const void *records, size_t count)
{
    const struct grantd_user *list = records;
    int w = 8;
    for (size_t i = 0; i < count; i++)
        if ((int)strlen(list[i].username) > w)
            w = (int)strlen(list[i].username);
    printf("%-22s  %-*s  %-8s  %s\n", "ID", w, "USERNAME", "STATUS", "ACCOUNT / EMAIL");
    for (size_t i = 0; i < count; i++)
        printf("%-22s  %-*s  %-8s  %s%s%s\n", list[i].id, w, list[i].username,
               list[i].disabled ? "disabled" : "enabled",
               list[i].account ? list[i].account : "-", " / ",
               list[i].email ? list[i].email : "-");
}

static json_t *list_item(struct grantd_admin_session *s, const void *records, size_t n,
                         size_t i)
{
    return user_json(&((const struct grantd_user *)records)[i]);
}

static grantd_rc list_fetch(struct grantd_admin_session *s, void **records, size_t *n)
{
    return grantd_store_user_list(s->store, s->arena, s->tenant, (struct grantd_user **)records,
                                  n);
}

static int user_list(int argc, char **argv)
{
    static const struct option opts[] = {
        GRANTD_ADMIN_COMMON_OPTIONS, {"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    static const struct grantd_admin_lister lister = {list_fetch, list_item, print_table};
    struct grantd_admin_args a;
    int opt, json = 0;
    grantd_admin_args_init(&a, "user list", list_usage);
    while ((opt = grantd_admin_getopt(&a, argc, argv, opts)) == 'j')
        json = 1;
    int rc = opt == GRANTD_ADMIN_STOP ? grantd_admin_stopped(&a)
                                      : grantd_admin_positionals(&a, argc, argv, 0, 0, "");
    return grantd_admin_list(&a, rc, json, &lister);
}

static const struct grantd_admin_cmd user_commands[] = {
    {"create", user_create, "create a user (password from stdin)"},
    {"update", user_update, "set a user's account, e-mail and claims"},
    {"passwd", user_passwd, "set a user's password (from stdin)"},
    {"disable", user_disable, "stop a user from logging in"},
    {"enable", user_enable, "allow a disabled user again"},
    {"list", user_list, "list users"},
};

int grantd_cli_user(int argc, char **argv)
{
    return grantd_admin_dispatch("user", user_commands, GRANTD_ADMIN_COUNT(user_commands), argc,
                                 argv);
}
