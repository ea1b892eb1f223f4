/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-volfile.c - the volfile parser: real brick and client volfiles
 * parsed into exactly the expected description, every error with its
 * line:column, lexical corner cases (comments, CRLF, quoting), limits,
 * overrides, topology comparison, and robustness against truncated and
 * random input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gf/volfile.h>

#include "gf-test.h"

static const char brick_vol[] =
    "# brick volfile for /bricks/b1\n"                            /* 1 */
    "volume patchy-posix\n"                                       /* 2 */
    "    type storage/posix\n"                                    /* 3 */
    "    option directory \"/bricks/b1\"\n"                       /* 4 */
    "    option volume-id 6a3c2f5e-0d9b-4c8e-9a51-2f3c4d5e6f70\n" /* 5 */
    "end-volume\n"                                                /* 6 */
    "\n"                                                          /* 7 */
    "volume patchy-io-threads\n"                                  /* 8 */
    "    type performance/io-threads\n"                           /* 9 */
    "    option thread-count 16\n"                                /* 10 */
    "    subvolumes patchy-posix\n"                               /* 11 */
    "end-volume\n"                                                /* 12 */
    "\n"                                                          /* 13 */
    "volume /bricks/b1\n"                                         /* 14 */
    "    type debug/io-stats\n"                                   /* 15 */
    "    option log-level INFO\n"                                 /* 16 */
    "    option unique-id \"/bricks/b1\"\n"                       /* 17 */
    "    subvolumes patchy-io-threads\n"                          /* 18 */
    "end-volume\n"                                                /* 19 */
    "\n"                                                          /* 20 */
    "volume patchy-server\n"                                      /* 21 */
    "    type protocol/server\n"                                  /* 22 */
    "    option transport-type tcp\n"                             /* 23 */
    "    option auth.addr./bricks/b1.allow \"*\"\n"               /* 24 */
    "    option banner \"brick \\\"b1\\\"\\tready\\\\\"\n"        /* 25 */
    "    option transport.listen-backlog 1024\n"                  /* 26 */
    "    subvolumes /bricks/b1\n"                                 /* 27 */
    "end-volume\n";                                               /* 28 */

static const char client_vol[] = "volume c0\n"
                                 "  type protocol/client\n"
                                 "  option remote-host 127.0.0.1\n"
                                 "  option remote-subvolume /bricks/b1\n"
                                 "  option remote-port 24009\n"
                                 "end-volume\n"
                                 "volume c1\n"
                                 "  type protocol/client\n"
                                 "  option remote-host 127.0.0.2\n"
                                 "  option remote-subvolume /bricks/b1\n"
                                 "end-volume\n"
                                 "volume rep\n"
                                 "  type cluster/replicate\n"
                                 "  subvolumes c0 c1\n"
                                 "end-volume\n"
                                 "volume wb\n"
                                 "  type performance/write-behind\n"
                                 "  subvolumes rep\n"
                                 "end-volume\n";

static int
parse(const char *text, gf_volfile_t **vf, gf_volfile_error_t *err)
{
    return gf_volfile_parse(text, strlen(text), "t.vol", vf, err);
}

static gf_volfile_t *
parse_ok(const char *text)
{
    gf_volfile_error_t err;
    gf_volfile_t *vf = NULL;
    int r = parse(text, &vf, &err);

    ck_assert_msg(r == 0, "parse failed (%d): %u:%u: %s", r, err.line,
                  err.column, err.message);
    ck_assert_ptr_nonnull(vf);
    return vf;
}

static void
check_opt(const gf_volfile_t *vf, size_t vol, size_t i, const char *key,
          const char *value, unsigned kl, unsigned kc, unsigned vl, unsigned vc)
{
    const gf_volfile_option_t *o = gf_volfile_option(vf, vol, i);

    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->key, key);
    ck_assert_str_eq(o->value, value);
    ck_assert_uint_eq(o->key_pos.line, kl);
    ck_assert_uint_eq(o->key_pos.column, kc);
    ck_assert_uint_eq(o->value_pos.line, vl);
    ck_assert_uint_eq(o->value_pos.column, vc);
}

START_TEST(brick_volfile)
{
    gf_volfile_t *vf = parse_ok(brick_vol);
    gf_volfile_pos_t pos;

    ck_assert_str_eq(gf_volfile_filename(vf), "t.vol");
    ck_assert_uint_eq(gf_volfile_count(vf), 4);
    ck_assert_int_eq(gf_volfile_top(vf), 3);
    ck_assert_str_eq(gf_volfile_name(vf, 0), "patchy-posix");
    ck_assert_str_eq(gf_volfile_type(vf, 0), "storage/posix");
    ck_assert_str_eq(gf_volfile_name(vf, 1), "patchy-io-threads");
    ck_assert_str_eq(gf_volfile_type(vf, 1), "performance/io-threads");
    ck_assert_str_eq(gf_volfile_name(vf, 2), "/bricks/b1");
    ck_assert_str_eq(gf_volfile_type(vf, 2), "debug/io-stats");
    ck_assert_str_eq(gf_volfile_name(vf, 3), "patchy-server");
    ck_assert_str_eq(gf_volfile_type(vf, 3), "protocol/server");
    pos = gf_volfile_pos(vf, 2);
    ck_assert_uint_eq(pos.line, 14);
    ck_assert_uint_eq(pos.column, 8);

    ck_assert_uint_eq(gf_volfile_noptions(vf, 0), 2);
    check_opt(vf, 0, 0, "directory", "/bricks/b1", 4, 12, 4, 22);
    check_opt(vf, 0, 1, "volume-id", "6a3c2f5e-0d9b-4c8e-9a51-2f3c4d5e6f70", 5,
              12, 5, 22);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 1), 1);
    check_opt(vf, 1, 0, "thread-count", "16", 10, 12, 10, 25);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 2), 2);
    check_opt(vf, 2, 0, "log-level", "INFO", 16, 12, 16, 22);
    check_opt(vf, 2, 1, "unique-id", "/bricks/b1", 17, 12, 17, 22);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 3), 4);
    check_opt(vf, 3, 0, "transport-type", "tcp", 23, 12, 23, 27);
    check_opt(vf, 3, 1, "auth.addr./bricks/b1.allow", "*", 24, 12, 24, 39);
    check_opt(vf, 3, 2, "banner", "brick \"b1\"\tready\\", 25, 12, 25, 19);
    check_opt(vf, 3, 3, "transport.listen-backlog", "1024", 26, 12, 26, 37);
    ck_assert_ptr_null(gf_volfile_option(vf, 3, 4));
    ck_assert_str_eq(gf_volfile_option_find(vf, 3, "banner")->value,
                     "brick \"b1\"\tready\\");
    ck_assert_ptr_null(gf_volfile_option_find(vf, 3, "nope"));

    ck_assert_uint_eq(gf_volfile_nsubvols(vf, 0), 0);
    ck_assert_uint_eq(gf_volfile_nsubvols(vf, 1), 1);
    ck_assert_int_eq(gf_volfile_subvol(vf, 1, 0), 0);
    ck_assert_uint_eq(gf_volfile_nsubvols(vf, 2), 1);
    ck_assert_int_eq(gf_volfile_subvol(vf, 2, 0), 1);
    ck_assert_uint_eq(gf_volfile_nsubvols(vf, 3), 1);
    ck_assert_int_eq(gf_volfile_subvol(vf, 3, 0), 2);
    ck_assert_int_eq(gf_volfile_subvol(vf, 3, 1), -EINVAL);

    ck_assert_int_eq(gf_volfile_find(vf, "/bricks/b1"), 2);
    ck_assert_int_eq(gf_volfile_find(vf, "patchy-server"), 3);
    ck_assert_int_eq(gf_volfile_find(vf, "patchy"), -ENOENT);
    gf_volfile_free(vf);
}
END_TEST

START_TEST(client_volfile)
{
    gf_volfile_t *vf = parse_ok(client_vol);

    ck_assert_uint_eq(gf_volfile_count(vf), 4);
    ck_assert_int_eq(gf_volfile_top(vf), 3);
    ck_assert_str_eq(gf_volfile_name(vf, 3), "wb");
    ck_assert_str_eq(gf_volfile_type(vf, 2), "cluster/replicate");
    ck_assert_uint_eq(gf_volfile_nsubvols(vf, 2), 2);
    ck_assert_int_eq(gf_volfile_subvol(vf, 2, 0), 0);
    ck_assert_int_eq(gf_volfile_subvol(vf, 2, 1), 1);
    ck_assert_int_eq(gf_volfile_subvol(vf, 3, 0), 2);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 0), 3);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 1), 2);
    ck_assert_str_eq(gf_volfile_option_find(vf, 0, "remote-port")->value,
                     "24009");
    ck_assert_str_eq(gf_volfile_option(vf, 1, 0)->value, "127.0.0.2");
    ck_assert_uint_eq(gf_volfile_noptions(vf, 3), 0);
    gf_volfile_free(vf);
}
END_TEST

/* A volume with two parents is allowed: the graph is a DAG. */
START_TEST(shared_subvolume)
{
    gf_volfile_t *vf = parse_ok("volume leaf type storage/posix end-volume\n"
                                "volume p1 type a/b subvolumes leaf "
                                "end-volume\n"
                                "volume p2 type a/b subvolumes leaf "
                                "end-volume\n"
                                "volume top type a/c subvolumes p1 p2 leaf "
                                "end-volume\n");

    ck_assert_uint_eq(gf_volfile_count(vf), 4);
    ck_assert_int_eq(gf_volfile_subvol(vf, 1, 0), 0);
    ck_assert_int_eq(gf_volfile_subvol(vf, 2, 0), 0);
    ck_assert_uint_eq(gf_volfile_nsubvols(vf, 3), 3);
    ck_assert_int_eq(gf_volfile_subvol(vf, 3, 2), 0);
    gf_volfile_free(vf);
}
END_TEST

struct bad {
    const char *text;
    size_t len; /* 0: strlen */
    int code;
    unsigned line, column;
    const char *message; /* exact */
};

static const struct bad bad[] = {
    /* missing type */
    {"volume a\n    option x y\nend-volume\n", 0, -EINVAL, 2, 5,
     "expected 'type' first in volume 'a', got 'option'"},
    {"volume a\nend-volume\n", 0, -EINVAL, 2, 1,
     "expected 'type' first in volume 'a', got 'end-volume'"},
    /* undefined subvolume, also when it is defined later */
    {"volume a\n type s/p\n subvolumes b\nend-volume\n", 0, -EINVAL, 3, 13,
     "undefined subvolume 'b' of volume 'a': expected a volume defined "
     "earlier in the file"},
    {"volume a\n type s/p\n subvolumes b\nend-volume\n"
     "volume b\n type s/p\nend-volume\n",
     0, -EINVAL, 3, 13,
     "undefined subvolume 'b' of volume 'a': expected a volume defined "
     "earlier in the file"},
    /* cycle */
    {"volume a\n type s/p\n subvolumes a\nend-volume\n", 0, -EINVAL, 3, 13,
     "volume 'a' lists itself as a subvolume (a cycle)"},
    /* duplicate volume */
    {"volume a\n type s/p\nend-volume\nvolume a\n type s/p\nend-volume\n", 0,
     -EINVAL, 4, 8, "duplicate volume 'a' (first defined at 1:8)"},
    /* unterminated strings */
    {"volume a\n type s/p\n option k \"abc\nend-volume\n", 0, -EINVAL, 3, 11,
     "unterminated string: expected '\"' before the end of the line"},
    {"volume a\n type s/p\n option k \"abc", 0, -EINVAL, 3, 11,
     "unterminated string: expected '\"' before the end of the file"},
    {"volume a\n type s/p\n option k \"abc\\\nend-volume\n", 0, -EINVAL, 3, 11,
     "unterminated string: expected '\"' before the end of the line"},
    {"volume a\r\n type s/p\r\n option k \"abc\r\nend-volume\r\n", 0, -EINVAL,
     3, 11, "unterminated string: expected '\"' before the end of the line"},
    /* unexpected end of file */
    {"volume a\n type s/p\n option k v\n", 0, -EINVAL, 4, 1,
     "unexpected end of file: expected 'end-volume' for volume 'a' opened "
     "at 1:1"},
    {"volume a\n type s/p\n option k", 0, -EINVAL, 3, 10,
     "expected a value for option 'k' in volume 'a', got end of file"},
    {"volume", 0, -EINVAL, 1, 7,
     "expected a volume name after 'volume', got end of file"},
    /* keywords in the wrong place */
    {"volume a\n type s/p\nvolume b\n", 0, -EINVAL, 3, 1,
     "expected 'option', 'subvolumes' or 'end-volume' in volume 'a', got "
     "'volume'"},
    {"option k v\n", 0, -EINVAL, 1, 1, "expected 'volume', got 'option'"},
    {"end-volume\n", 0, -EINVAL, 1, 1, "expected 'volume', got 'end-volume'"},
    {"Volume a\n", 0, -EINVAL, 1, 1, "expected 'volume', got 'Volume'"},
    {"volume a\n type s/p\n subvolume b\nend-volume\n", 0, -EINVAL, 3, 2,
     "expected 'option', 'subvolumes' or 'end-volume' in volume 'a', got "
     "'subvolume'"},
    {"volume\n type s/p\n", 0, -EINVAL, 2, 2,
     "expected a volume name after 'volume', got 'type'"},
    {"volume a\n type\nend-volume\n", 0, -EINVAL, 3, 1,
     "expected a translator type after 'type', got 'end-volume'"},
    {"volume a\n type s/p\n option type x\nend-volume\n", 0, -EINVAL, 3, 9,
     "expected an option name after 'option', got 'type'"},
    {"volume a\n type s/p\n option k volume\nend-volume\n", 0, -EINVAL, 3, 11,
     "expected a value for option 'k' in volume 'a', got 'volume'"},
    {"volume a\n type s/p\n option k\nend-volume\n", 0, -EINVAL, 4, 1,
     "expected a value for option 'k' in volume 'a', got 'end-volume'"},
    {"volume a\n type s/p\n subvolumes\nend-volume\n", 0, -EINVAL, 4, 1,
     "expected a volume name after 'subvolumes', got 'end-volume'"},
    {"volume a\n type s/p\n type s/q\nend-volume\n", 0, -EINVAL, 3, 2,
     "duplicate 'type' in volume 'a' (first at 2:7)"},
    {"volume a\n type s/p\nend-volume\nvolume b\n type s/p\n subvolumes a\n"
     " subvolumes a\nend-volume\n",
     0, -EINVAL, 7, 2, "duplicate 'subvolumes' in volume 'b' (first at 6:2)"},
    {"volume a\n type s/p\nend-volume\nvolume b\n type s/p\n subvolumes a a\n"
     "end-volume\n",
     0, -EINVAL, 6, 15, "subvolume 'a' listed twice in volume 'b'"},
    /* bad types */
    {"volume a\n type posix\nend-volume\n", 0, -EINVAL, 2, 7,
     "bad type 'posix' (not two parts around one '/'): expected "
     "'category/name' of letters, digits, '_', '-' and '.' in volume 'a'"},
    {"volume a\n type /storage/posix\nend-volume\n", 0, -EINVAL, 2, 7,
     "bad type '/storage/posix' (not two parts around one '/'): expected "
     "'category/name' of letters, digits, '_', '-' and '.' in volume 'a'"},
    {"volume a\n type storage/../x\nend-volume\n", 0, -EINVAL, 2, 7,
     "bad type 'storage/../x' (not two parts around one '/'): expected "
     "'category/name' of letters, digits, '_', '-' and '.' in volume 'a'"},
    {"volume a\n type ../posix\nend-volume\n", 0, -EINVAL, 2, 7,
     "bad type '../posix' (a part starts with '.'): expected "
     "'category/name' of letters, digits, '_', '-' and '.' in volume 'a'"},
    {"volume a\n type storage/..\nend-volume\n", 0, -EINVAL, 2, 7,
     "bad type 'storage/..' (a part starts with '.'): expected "
     "'category/name' of letters, digits, '_', '-' and '.' in volume 'a'"},
    {"volume a\n type storage/\nend-volume\n", 0, -EINVAL, 2, 7,
     "bad type 'storage/' (not two parts around one '/'): expected "
     "'category/name' of letters, digits, '_', '-' and '.' in volume 'a'"},
    {"volume a\n type \"sto rage/x\"\nend-volume\n", 0, -EINVAL, 2, 7,
     "bad type 'sto rage/x' (a character outside A-Z a-z 0-9 _ - .): "
     "expected 'category/name' of letters, digits, '_', '-' and '.' in "
     "volume 'a'"},
    /* lexical errors */
    {"volume a\n ty\0pe s/p\n", 20, -EINVAL, 2, 4, "NUL byte in input"},
    {"# \0\n", 4, -EINVAL, 1, 3, "NUL byte in input"},
    {"volume a\x01\n", 0, -EINVAL, 1, 9, "control character 0x01 in input"},
    {"volume a\n type s/p\n option k \"a\rb\"\nend-volume\n", 0, -EINVAL, 3, 13,
     "control character 0x0d in input"},
    {"volume a\n type s/p\n option k `id`\nend-volume\n", 0, -EINVAL, 3, 11,
     "backtick: command substitution is not supported"},
    {"volume a\n type s/p\n option k \"x`id`\"\nend-volume\n", 0, -EINVAL, 3,
     13, "backtick: command substitution is not supported"},
    {"volume a\n type s/p\n option k \"a\\qb\"\nend-volume\n", 0, -EINVAL, 3,
     13, "unknown escape '\\q' in string: expected \\\", \\\\, \\n or \\t"},
    {"volume a\n type s/p\n option k \"a\\\x01\"\nend-volume\n", 0, -EINVAL, 3,
     13,
     "unknown escape '\\' + byte 0x01 in string: expected \\\", \\\\, \\n or "
     "\\t"},
    {"volume \"\"\n type s/p\nend-volume\n", 0, -EINVAL, 1, 8,
     "bad volume name '': it is empty"},
    {"volume \"a\\nb\"\n type s/p\nend-volume\n", 0, -EINVAL, 1, 8,
     "bad volume name 'a?b': it contains a control character"},
    {"volume a\n type s/p\n option \"\" v\nend-volume\n", 0, -EINVAL, 3, 9,
     "bad option name '': it is empty"},
    /* a quoted keyword is a plain string; adjacent strings are two */
    {"volume a\n \"type\" s/p\nend-volume\n", 0, -EINVAL, 2, 2,
     "expected 'type' first in volume 'a', got string 'type'"},
    {"volume a\n type s/p\n option adj \"x\"\"y\"\nend-volume\n", 0, -EINVAL, 3,
     16,
     "expected 'option', 'subvolumes' or 'end-volume' in volume 'a', got "
     "string 'y'"},
    /* no volume */
    {"", 0, -EINVAL, 1, 1,
     "expected 'volume', got end of file: a volfile needs at least one "
     "volume"},
    {"# nothing\n\n   # here\n", 0, -EINVAL, 4, 1,
     "expected 'volume', got end of file: a volfile needs at least one "
     "volume"},
    /* long names are cut in messages */
    {"volume a\n type s/p\n subvolumes "
     "abcdefghijabcdefghijabcdefghijabcdefghijXYZ\nend-volume\n",
     0, -EINVAL, 3, 13,
     "undefined subvolume 'abcdefghijabcdefghijabcdefghijabcdefghij...' of "
     "volume 'a': expected a volume defined earlier in the file"},
};

START_TEST(errors)
{
    const struct bad *b = &bad[_i];
    size_t len = b->len ? b->len : strlen(b->text);
    gf_volfile_error_t err;
    gf_volfile_t *vf = (gf_volfile_t *)&err; /* must be reset to NULL */
    int r = gf_volfile_parse(b->text, len, "case.vol", &vf, &err);

    ck_assert_msg(r == b->code, "case %d: got %d (%s)", _i, r, err.message);
    ck_assert_ptr_null(vf);
    ck_assert_str_eq(err.file, "case.vol");
    ck_assert_str_eq(err.message, b->message);
    ck_assert_msg(err.line == b->line && err.column == b->column,
                  "case %d: at %u:%u, expected %u:%u", _i, err.line, err.column,
                  b->line, b->column);
    /* A NULL error pointer is fine too. */
    ck_assert_int_eq(gf_volfile_parse(b->text, len, NULL, &vf, NULL), b->code);
}
END_TEST

START_TEST(error_format)
{
    gf_volfile_error_t err;
    gf_volfile_t *vf;
    char buf[256], small[8];
    const char *text = "volume a\n type s/p\nvolume b\n";
    int n;

    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "client.vol", &vf, &err), -EINVAL);
    n = gf_volfile_error_format(&err, buf, sizeof(buf));
    ck_assert_str_eq(buf, "client.vol:3:1: expected 'option', 'subvolumes' "
                          "or 'end-volume' in volume 'a', got 'volume'");
    ck_assert_int_eq(n, (int)strlen(buf));
    ck_assert_int_eq(gf_volfile_error_format(&err, small, sizeof(small)), n);
    ck_assert_str_eq(small, "client.");
    ck_assert_int_eq(gf_volfile_error_format(&err, NULL, 0), n);
    ck_assert_int_eq(gf_volfile_error_format(NULL, buf, sizeof(buf)), -EINVAL);
    ck_assert_int_eq(gf_volfile_error_format(&err, NULL, 4), -EINVAL);

    /* No position: "file: message". */
    ck_assert_int_eq(gf_volfile_parse_file("/nonexistent/x.vol", &vf, &err),
                     -ENOENT);
    ck_assert_uint_eq(err.line, 0);
    gf_volfile_error_format(&err, buf, sizeof(buf));
    ck_assert_str_eq(buf, "/nonexistent/x.vol: cannot read: No such file or "
                          "directory");
}
END_TEST

START_TEST(long_filename)
{
    char name[600], want[300];
    gf_volfile_error_t err;
    gf_volfile_t *vf;

    memset(name, 'x', sizeof(name) - 6);
    strcpy(name + sizeof(name) - 6, "a.vol");
    ck_assert_int_eq(gf_volfile_parse("", 0, name, &vf, &err), -EINVAL);
    ck_assert_uint_eq(strlen(err.file), sizeof(err.file) - 1);
    snprintf(want, sizeof(want), "...%s",
             name + strlen(name) - (sizeof(err.file) - 4));
    ck_assert_str_eq(err.file, want);
}
END_TEST

START_TEST(comments_and_blanks)
{
    gf_volfile_t *vf = parse_ok(
        "\n\n# leading comment\n   \t\n"
        "volume a # after the name\n"
        "# between\n"
        "  type storage/posix #\n"
        "\n"
        "  option k v#\n" /* '#' inside a word is part of it */
        "  # option ignored value\n"
        "end-volume # trailing\n"
        "# control char in a comment is fine: \x01 and a backtick: `id`\n"
        "volume b\ttype a/b\fsubvolumes\va end-volume\n"
        "# no newline at the end");

    ck_assert_uint_eq(gf_volfile_count(vf), 2);
    ck_assert_str_eq(gf_volfile_type(vf, 0), "storage/posix");
    ck_assert_uint_eq(gf_volfile_noptions(vf, 0), 1);
    check_opt(vf, 0, 0, "k", "v#", 9, 10, 9, 12);
    ck_assert_int_eq(gf_volfile_subvol(vf, 1, 0), 0);
    ck_assert_uint_eq(gf_volfile_pos(vf, 1).line, 13);
    ck_assert_uint_eq(gf_volfile_pos(vf, 1).column, 8);
    gf_volfile_free(vf);
}
END_TEST

START_TEST(hash_inside_word)
{
    gf_volfile_t *vf =
        parse_ok("volume a # c\n type s/p\n option url http://h/x#frag "
                 "# real comment\n option k \"v # no comment\"\n"
                 " # option ignored value\nend-volume #\n");

    ck_assert_uint_eq(gf_volfile_noptions(vf, 0), 2);
    check_opt(vf, 0, 0, "url", "http://h/x#frag", 3, 9, 3, 13);
    check_opt(vf, 0, 1, "k", "v # no comment", 4, 9, 4, 11);
    gf_volfile_free(vf);
}
END_TEST

/* Replace every LF of S by CRLF into a new string. */
static char *
crlf(const char *s)
{
    char *out = malloc(strlen(s) * 2 + 1), *o = out;

    ck_assert_ptr_nonnull(out);
    for (; *s; s++) {
        if (*s == '\n')
            *o++ = '\r';
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

START_TEST(crlf_line_endings)
{
    char *text = crlf(brick_vol);
    gf_volfile_t *vf = parse_ok(text), *lf = parse_ok(brick_vol);

    ck_assert_int_eq(gf_volfile_same_topology(vf, lf), 1);
    for (size_t v = 0; v < gf_volfile_count(lf); v++) {
        ck_assert_uint_eq(gf_volfile_noptions(vf, v),
                          gf_volfile_noptions(lf, v));
        for (size_t i = 0; i < gf_volfile_noptions(lf, v); i++) {
            const gf_volfile_option_t *a = gf_volfile_option(vf, v, i);
            const gf_volfile_option_t *b = gf_volfile_option(lf, v, i);

            ck_assert_str_eq(a->key, b->key);
            ck_assert_str_eq(a->value, b->value);
            ck_assert_uint_eq(a->value_pos.line, b->value_pos.line);
            ck_assert_uint_eq(a->value_pos.column, b->value_pos.column);
        }
    }
    gf_volfile_free(vf);
    gf_volfile_free(lf);
    free(text);
}
END_TEST

START_TEST(strings)
{
    gf_volfile_t *vf =
        parse_ok("volume \"my vol\"\n"
                 " type \"x/y\"\n"
                 " option \"type\" \"volume\"\n"
                 " option empty \"\"\n"
                 " option esc \"a\\\"b\\\\c\\nd\\te\"\n"
                 " option tab \"a\tb\"\n"
                 " option utf8 caf\xc3\xa9\n"
                 "end-volume\n"
                 "volume top\n type a/b\n subvolumes \"my vol\"\nend-volume\n");

    ck_assert_str_eq(gf_volfile_name(vf, 0), "my vol");
    ck_assert_str_eq(gf_volfile_type(vf, 0), "x/y");
    ck_assert_uint_eq(gf_volfile_noptions(vf, 0), 5);
    ck_assert_str_eq(gf_volfile_option(vf, 0, 0)->key, "type");
    ck_assert_str_eq(gf_volfile_option(vf, 0, 0)->value, "volume");
    ck_assert_str_eq(gf_volfile_option(vf, 0, 1)->value, "");
    ck_assert_str_eq(gf_volfile_option(vf, 0, 2)->value, "a\"b\\c\nd\te");
    ck_assert_str_eq(gf_volfile_option(vf, 0, 3)->value, "a\tb");
    ck_assert_str_eq(gf_volfile_option(vf, 0, 4)->value, "caf\xc3\xa9");
    ck_assert_int_eq(gf_volfile_subvol(vf, 1, 0), 0);
    gf_volfile_free(vf);
}
END_TEST

START_TEST(repeated_key)
{
    gf_volfile_t *vf = parse_ok("volume a\n type s/p\n option k one\n"
                                " option j two\n option k three\n"
                                " option j four\n option z five\n"
                                "end-volume\n");

    ck_assert_uint_eq(gf_volfile_noptions(vf, 0), 3);
    check_opt(vf, 0, 0, "k", "three", 5, 9, 5, 11);
    check_opt(vf, 0, 1, "j", "four", 6, 9, 6, 11);
    check_opt(vf, 0, 2, "z", "five", 7, 9, 7, 11);
    gf_volfile_free(vf);
}
END_TEST

START_TEST(override)
{
    gf_volfile_t *vf = parse_ok(client_vol);
    const gf_volfile_option_t *o;

    /* Replace an existing option in one volume. */
    ck_assert_int_eq(gf_volfile_override(vf, "c0.remote-port=24010"), 0);
    o = gf_volfile_option_find(vf, 0, "remote-port");
    ck_assert_str_eq(o->value, "24010");
    ck_assert_uint_eq(o->value_pos.line, 0);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 0), 3);
    /* A glob; a key with dots; a value with '='; a new key appended. */
    ck_assert_int_eq(
        gf_volfile_override(vf, "c?.transport.address-family=in=et"), 0);
    for (size_t v = 0; v < 2; v++) {
        o = gf_volfile_option(vf, v, gf_volfile_noptions(vf, v) - 1);
        ck_assert_str_eq(o->key, "transport.address-family");
        ck_assert_str_eq(o->value, "in=et");
    }
    ck_assert_ptr_null(
        gf_volfile_option_find(vf, 2, "transport.address-family"));
    /* '*' matches every volume; an empty value is allowed. */
    ck_assert_int_eq(gf_volfile_override(vf, "*.log-level="), 0);
    for (size_t v = 0; v < 4; v++)
        ck_assert_str_eq(gf_volfile_option_find(vf, v, "log-level")->value, "");
    /* Errors change nothing. */
    ck_assert_int_eq(gf_volfile_override(vf, "nosuch.k=v"), -ENOENT);
    ck_assert_int_eq(gf_volfile_override(vf, "x*.k=v"), -ENOENT);
    ck_assert_int_eq(gf_volfile_override(vf, "c0"), -EINVAL);
    ck_assert_int_eq(gf_volfile_override(vf, "c0.k"), -EINVAL);
    ck_assert_int_eq(gf_volfile_override(vf, "c0=k.v"), -EINVAL);
    ck_assert_int_eq(gf_volfile_override(vf, ".k=v"), -EINVAL);
    ck_assert_int_eq(gf_volfile_override(vf, "c0.=v"), -EINVAL);
    ck_assert_int_eq(gf_volfile_override(vf, "c0.a\nb=v"), -EINVAL);
    ck_assert_int_eq(gf_volfile_override(vf, NULL), -EINVAL);
    ck_assert_int_eq(gf_volfile_override(NULL, "a.b=c"), -EINVAL);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 0), 5);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 2), 1);
    gf_volfile_free(vf);
}
END_TEST

static int
same(const char *a, const char *b)
{
    gf_volfile_t *x = parse_ok(a), *y = parse_ok(b);
    int r = gf_volfile_same_topology(x, y);

    ck_assert_int_eq(r, gf_volfile_same_topology(y, x));
    gf_volfile_free(x);
    gf_volfile_free(y);
    return r;
}

START_TEST(same_topology)
{
    const char *base = "volume a type s/p end-volume\n"
                       "volume b type s/p end-volume\n"
                       "volume t type c/d subvolumes a b end-volume\n";
    gf_volfile_t *vf;

    ck_assert_int_eq(same(base, base), 1);
    ck_assert_int_eq(same(brick_vol, brick_vol), 1);
    /* Options and the order of definitions may differ. */
    ck_assert_int_eq(same(base, "volume b type s/p option x y end-volume\n"
                                "volume a type s/p end-volume\n"
                                "volume t type c/d option k v subvolumes a b "
                                "end-volume\n"),
                     1);
    /* Type, subvolume order, names, count, top all matter. */
    ck_assert_int_eq(same(base, "volume a type s/q end-volume\n"
                                "volume b type s/p end-volume\n"
                                "volume t type c/d subvolumes a b "
                                "end-volume\n"),
                     0);
    ck_assert_int_eq(same(base, "volume a type s/p end-volume\n"
                                "volume b type s/p end-volume\n"
                                "volume t type c/d subvolumes b a "
                                "end-volume\n"),
                     0);
    ck_assert_int_eq(same(base, "volume a type s/p end-volume\n"
                                "volume b type s/p end-volume\n"
                                "volume t type c/d subvolumes a end-volume\n"),
                     0);
    ck_assert_int_eq(same(base, "volume a type s/p end-volume\n"
                                "volume c type s/p end-volume\n"
                                "volume t type c/d subvolumes a c "
                                "end-volume\n"),
                     0);
    ck_assert_int_eq(same(base, "volume a type s/p end-volume\n"
                                "volume b type s/p end-volume\n"
                                "volume t type c/d subvolumes a b end-volume\n"
                                "volume u type e/f subvolumes t end-volume\n"),
                     0);
    ck_assert_int_eq(same(base, "volume a type s/p end-volume\n"
                                "volume t type c/d subvolumes a end-volume\n"
                                "volume b type s/p end-volume\n"),
                     0);
    ck_assert_int_eq(same(brick_vol, client_vol), 0);
    vf = parse_ok(base);
    ck_assert_int_eq(gf_volfile_same_topology(vf, NULL), -EINVAL);
    ck_assert_int_eq(gf_volfile_same_topology(NULL, vf), -EINVAL);
    gf_volfile_free(vf);
}
END_TEST

static char *
tmp_path(const char *name)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/check-volfile-%d-%s", gf_test_tmpdir(),
             (int)getpid(), name);
    return path;
}

static void
write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    ck_assert_int_eq(close(fd), 0);
}

START_TEST(parse_file)
{
    const char *path = tmp_path("brick.vol");
    gf_volfile_error_t err;
    gf_volfile_t *vf;

    write_file(path, brick_vol, strlen(brick_vol));
    ck_assert_int_eq(gf_volfile_parse_file(path, &vf, &err), 0);
    ck_assert_str_eq(gf_volfile_filename(vf), path);
    ck_assert_uint_eq(gf_volfile_count(vf), 4);
    gf_volfile_free(vf);

    write_file(path, "volume a\n type x\nend-volume\n", 28);
    ck_assert_int_eq(gf_volfile_parse_file(path, &vf, &err), -EINVAL);
    ck_assert_str_eq(err.file, path);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_uint_eq(err.column, 7);
    ck_assert_int_eq(unlink(path), 0);

    ck_assert_int_eq(gf_volfile_parse_file(gf_test_tmpdir(), &vf, &err),
                     -EISDIR);
    ck_assert_uint_eq(err.line, 0);
    ck_assert_int_eq(gf_volfile_parse_file(NULL, &vf, &err), -EINVAL);
    ck_assert_int_eq(gf_volfile_parse_file(path, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(file_too_large)
{
    const char *path = tmp_path("big.vol");
    size_t len = (size_t)GF_VOLFILE_MAX_SIZE + 1;
    char *big = malloc(len);
    gf_volfile_error_t err;
    gf_volfile_t *vf;
    int fd;

    ck_assert_ptr_nonnull(big);
    memset(big, ' ', len);
    ck_assert_int_eq(gf_volfile_parse(big, len, "big", &vf, &err), -EFBIG);
    ck_assert_ptr_null(vf);
    ck_assert_uint_eq(err.line, 0);
    ck_assert_str_eq(err.message, "file larger than 16777216 bytes");
    free(big);

    /* A sparse file one byte over the limit. */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
    close(fd);
    ck_assert_int_eq(gf_volfile_parse_file(path, &vf, &err), -EFBIG);
    ck_assert_str_eq(err.message, "file larger than 16777216 bytes");
    /* Exactly at the limit is read (and fails only for the NUL bytes). */
    ck_assert_int_eq(truncate(path, (off_t)len - 1), 0);
    ck_assert_int_eq(gf_volfile_parse_file(path, &vf, &err), -EINVAL);
    ck_assert_str_eq(err.message, "NUL byte in input");
    ck_assert_int_eq(unlink(path), 0);
}
END_TEST

/* A growing text buffer for generated volfiles. */
struct text {
    char *s;
    size_t len, cap;
};

static void
add(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* N volumes v0..v(N-1), each on top of the previous one. */
static void
volumes(struct text *t, unsigned n)
{
    char line[128];
    int k;

    for (unsigned i = 0; i < n; i++) {
        k = snprintf(line, sizeof(line), "volume v%u\ntype a/b\n", i);
        add(t, line, (size_t)k);
        if (i) {
            k = snprintf(line, sizeof(line), "subvolumes v%u\n", i - 1);
            add(t, line, (size_t)k);
        }
        add(t, "end-volume\n", 11);
    }
}

START_TEST(volume_limit)
{
    struct text t = {0};
    gf_volfile_error_t err;
    gf_volfile_t *vf;

    volumes(&t, GF_VOLFILE_MAX_VOLUMES);
    ck_assert_int_eq(gf_volfile_parse(t.s, t.len, "many", &vf, &err), 0);
    ck_assert_uint_eq(gf_volfile_count(vf), GF_VOLFILE_MAX_VOLUMES);
    ck_assert_int_eq(gf_volfile_subvol(vf, 9999, 0), 9998);
    ck_assert_int_eq(gf_volfile_find(vf, "v1234"), 1234);
    ck_assert_int_eq(gf_volfile_same_topology(vf, vf), 1);
    gf_volfile_free(vf);

    add(&t, "volume extra\n", 13);
    ck_assert_int_eq(gf_volfile_parse(t.s, t.len, "many", &vf, &err), -E2BIG);
    ck_assert_uint_eq(err.line, 3 + 4 * (GF_VOLFILE_MAX_VOLUMES - 1) + 1);
    ck_assert_uint_eq(err.column, 8);
    ck_assert_str_eq(err.message, "more than 10000 volumes");
    free(t.s);
}
END_TEST

START_TEST(token_and_line_limits)
{
    struct text t = {0};
    gf_volfile_error_t err;
    gf_volfile_t *vf;
    char *big = malloc(GF_VOLFILE_MAX_LINE + 2);

    ck_assert_ptr_nonnull(big);
    /* A word at the limit is fine; one byte more is not. */
    add(&t, "volume a\n type s/p\n option k ", 29);
    memset(big, 'w', GF_VOLFILE_MAX_TOKEN + 1);
    add(&t, big, GF_VOLFILE_MAX_TOKEN);
    add(&t, "\nend-volume\n", 12);
    vf = parse_ok(t.s);
    ck_assert_uint_eq(strlen(gf_volfile_option(vf, 0, 0)->value),
                      GF_VOLFILE_MAX_TOKEN);
    gf_volfile_free(vf);
    t.len = 29;
    add(&t, big, GF_VOLFILE_MAX_TOKEN + 1);
    ck_assert_int_eq(parse(t.s, &vf, &err), -E2BIG);
    ck_assert_uint_eq(err.line, 3);
    ck_assert_uint_eq(err.column, 11);
    ck_assert_str_eq(err.message, "word longer than 65536 bytes");

    /* The same for a string (escapes count once). */
    t.len = 29;
    add(&t, "\"\\t", 3);
    add(&t, big, GF_VOLFILE_MAX_TOKEN);
    add(&t, "\"", 1);
    ck_assert_int_eq(parse(t.s, &vf, &err), -E2BIG);
    ck_assert_uint_eq(err.column, 11);
    ck_assert_str_eq(err.message, "string longer than 65536 bytes");

    /* A line over the limit, even inside a comment. */
    t.len = 0;
    add(&t, "volume a\n#", 10);
    memset(big, 'c', GF_VOLFILE_MAX_LINE + 1);
    add(&t, big, GF_VOLFILE_MAX_LINE);
    ck_assert_int_eq(parse(t.s, &vf, &err), -E2BIG);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_uint_eq(err.column, GF_VOLFILE_MAX_LINE + 1);
    ck_assert_str_eq(err.message, "line longer than 1048576 bytes");

    /* Types are limited to 255 bytes. */
    t.len = 0;
    add(&t, "volume a\n type a/", 17);
    memset(big, 'b', 300);
    add(&t, big, 253);
    add(&t, "\nend-volume\n", 12);
    vf = parse_ok(t.s);
    ck_assert_uint_eq(strlen(gf_volfile_type(vf, 0)), GF_VOLFILE_MAX_TYPE);
    gf_volfile_free(vf);
    t.len = 17;
    add(&t, big, 254);
    add(&t, "\nend-volume\n", 12);
    ck_assert_int_eq(parse(t.s, &vf, &err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "(too long)"));
    free(big);
    free(t.s);
}
END_TEST

START_TEST(bad_arguments)
{
    gf_volfile_error_t err;
    gf_volfile_t *vf = NULL;

    ck_assert_int_eq(gf_volfile_parse(NULL, 1, "x", &vf, &err), -EINVAL);
    ck_assert_str_eq(err.message, "invalid argument");
    ck_assert_int_eq(gf_volfile_parse("x", 1, "x", NULL, &err), -EINVAL);
    ck_assert_int_eq(gf_volfile_parse(NULL, 0, "x", &vf, &err), -EINVAL);
    ck_assert_uint_eq(err.line, 1); /* no volume, at 1:1 */
    gf_volfile_free(NULL);
    ck_assert_uint_eq(gf_volfile_count(NULL), 0);
    ck_assert_int_eq(gf_volfile_top(NULL), -EINVAL);
    ck_assert_int_eq(gf_volfile_find(NULL, "a"), -EINVAL);
    ck_assert_ptr_null(gf_volfile_filename(NULL));
    ck_assert_ptr_null(gf_volfile_name(NULL, 0));
    ck_assert_ptr_null(gf_volfile_type(NULL, 0));
    ck_assert_uint_eq(gf_volfile_pos(NULL, 0).line, 0);
    ck_assert_uint_eq(gf_volfile_noptions(NULL, 0), 0);
    ck_assert_ptr_null(gf_volfile_option(NULL, 0, 0));
    ck_assert_ptr_null(gf_volfile_option_find(NULL, 0, "k"));
    ck_assert_uint_eq(gf_volfile_nsubvols(NULL, 0), 0);
    ck_assert_int_eq(gf_volfile_subvol(NULL, 0, 0), -EINVAL);

    vf = parse_ok(client_vol);
    ck_assert_int_eq(gf_volfile_find(vf, NULL), -EINVAL);
    ck_assert_ptr_null(gf_volfile_name(vf, 4));
    ck_assert_ptr_null(gf_volfile_type(vf, 99));
    ck_assert_uint_eq(gf_volfile_pos(vf, 4).line, 0);
    ck_assert_uint_eq(gf_volfile_noptions(vf, 4), 0);
    ck_assert_ptr_null(gf_volfile_option(vf, 4, 0));
    ck_assert_ptr_null(gf_volfile_option_find(vf, 0, NULL));
    ck_assert_uint_eq(gf_volfile_nsubvols(vf, 4), 0);
    ck_assert_int_eq(gf_volfile_subvol(vf, 4, 0), -EINVAL);
    gf_volfile_free(vf);
}
END_TEST

/* Structural invariants every successful parse must satisfy. */
static void
check_invariants(gf_volfile_t *vf)
{
    size_t n = gf_volfile_count(vf);

    ck_assert_uint_ge(n, 1);
    ck_assert_int_eq(gf_volfile_top(vf), (int)n - 1);
    for (size_t v = 0; v < n; v++) {
        ck_assert_int_eq(gf_volfile_find(vf, gf_volfile_name(vf, v)), (int)v);
        ck_assert_ptr_nonnull(strchr(gf_volfile_type(vf, v), '/'));
        for (size_t i = 0; i < gf_volfile_nsubvols(vf, v); i++)
            ck_assert_int_lt(gf_volfile_subvol(vf, v, i), (int)v);
        for (size_t i = 0; i < gf_volfile_noptions(vf, v); i++)
            ck_assert_ptr_nonnull(gf_volfile_option(vf, v, i)->value);
    }
    ck_assert_int_eq(gf_volfile_same_topology(vf, vf), 1);
    ck_assert_int_eq(gf_volfile_override(vf, "*.fuzz=1"), 0);
}

/* Count complete 'end-volume' tokens in the first LEN bytes of S. */
static size_t
complete_volumes(const char *s, size_t len)
{
    size_t n = 0;

    for (const char *p = s; (p = strstr(p, "end-volume")); p++)
        if ((size_t)(p - s) + 10 <= len)
            n++;
    return n;
}

START_TEST(every_prefix)
{
    const char *files[] = {brick_vol, client_vol};

    for (size_t f = 0; f < GF_ARRAY_SIZE(files); f++) {
        const char *text = files[f];
        size_t len = strlen(text), ok = 0;

        for (size_t n = 0; n <= len; n++) {
            gf_volfile_error_t err;
            gf_volfile_t *vf;
            int r = gf_volfile_parse(text, n, "prefix", &vf, &err);

            if (r == 0) {
                check_invariants(vf);
                ck_assert_uint_eq(gf_volfile_count(vf),
                                  complete_volumes(text, n));
                gf_volfile_free(vf);
                ok++;
                continue;
            }
            ck_assert_int_eq(r, -EINVAL);
            ck_assert_ptr_null(vf);
            ck_assert_uint_ge(err.line, 1);
            ck_assert_uint_ge(err.column, 1);
            ck_assert_uint_gt(strlen(err.message), 10);
        }
        /* Prefixes that end after an 'end-volume' (plus blanks) parse. */
        ck_assert_uint_gt(ok, 4);
    }
}
END_TEST

static uint64_t
rnd(uint64_t *state)
{
    /* xorshift64*: deterministic across platforms. */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ull;
}

static void
try_parse(const char *buf, size_t len, size_t *oks)
{
    gf_volfile_error_t err;
    gf_volfile_t *vf;
    char line[512];
    int r = gf_volfile_parse(buf, len, "fuzz", &vf, &err);

    if (r == 0) {
        check_invariants(vf);
        gf_volfile_free(vf);
        (*oks)++;
        return;
    }
    ck_assert_msg(r == -EINVAL || r == -E2BIG, "unexpected %d", r);
    ck_assert_ptr_null(vf);
    ck_assert_int_gt(gf_volfile_error_format(&err, line, sizeof(line)), 0);
}

START_TEST(random_bytes)
{
    static const char *const pieces[] = {
        "volume ", "type ", "option ", "subvolumes ", "end-volume", "\n",
        " ",       "\"",    "\\",      "#",           "a/b",        "x",
        "y",       "\r\n",  "`",       "\t",          "\\n",        "z z",
    };
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    size_t oks = 0, mutated_oks = 0;
    char buf[1024];

    /* Raw random bytes. */
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = rnd(&seed) % 256;

        for (size_t i = 0; i < len; i++)
            buf[i] = (char)rnd(&seed);
        try_parse(buf, len, &oks);
    }
    /* Random sequences of volfile pieces: reach deep into the grammar. */
    for (int iter = 0; iter < 5000; iter++) {
        size_t len = 0;

        while (len < sizeof(buf) - 16 && rnd(&seed) % 64) {
            const char *p = pieces[rnd(&seed) % GF_ARRAY_SIZE(pieces)];

            memcpy(buf + len, p, strlen(p));
            len += strlen(p);
        }
        try_parse(buf, len, &oks);
    }
    /* Single-byte mutations of a valid file. */
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = strlen(client_vol);

        memcpy(buf, client_vol, len);
        for (int k = 0; k < 1 + (int)(rnd(&seed) % 3); k++)
            buf[rnd(&seed) % len] = (char)rnd(&seed);
        try_parse(buf, len, &mutated_oks);
    }
    /* Not a proof, but shows the generators reach accepting inputs. */
    ck_assert_uint_gt(mutated_oks, 100);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("volfile");
    TCase *tc = tcase_create("parse");
    TCase *lim = tcase_create("limits");
    TCase *fz = tcase_create("robustness");

    tcase_add_test(tc, brick_volfile);
    tcase_add_test(tc, client_volfile);
    tcase_add_test(tc, shared_subvolume);
    tcase_add_loop_test(tc, errors, 0, (int)GF_ARRAY_SIZE(bad));
    tcase_add_test(tc, error_format);
    tcase_add_test(tc, long_filename);
    tcase_add_test(tc, comments_and_blanks);
    tcase_add_test(tc, hash_inside_word);
    tcase_add_test(tc, crlf_line_endings);
    tcase_add_test(tc, strings);
    tcase_add_test(tc, repeated_key);
    tcase_add_test(tc, override);
    tcase_add_test(tc, same_topology);
    tcase_add_test(tc, parse_file);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);

    tcase_add_test(lim, file_too_large);
    tcase_add_test(lim, volume_limit);
    tcase_add_test(lim, token_and_line_limits);
    tcase_set_timeout(lim, 60);
    suite_add_tcase(s, lim);

    tcase_add_test(fz, every_prefix);
    tcase_add_test(fz, random_bytes);
    tcase_set_timeout(fz, 120);
    suite_add_tcase(s, fz);
    return gf_test_run(s);
}
