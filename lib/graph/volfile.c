/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * volfile.c - the volfile lexer and parser.
 *
 * Hand-written so that every failure names the file, line and column and
 * what was expected, and so that no input can crash it or make it take
 * more than linear time and memory: the input is length-delimited (never
 * read past LEN), a first pass rejects NUL bytes and over-long lines, the
 * lexer keeps one token of lookahead and unescapes strings into one
 * reusable buffer, and the parser is a loop per volume, not a recursion,
 * so nesting depth does not exist. Subvolumes must be defined before use
 * (as in GlusterFS), which makes the graph acyclic by construction; the
 * only cycle left to diagnose is a volume naming itself. The grammar and
 * its deliberate differences from GlusterFS are documented in
 * <gf/volfile.h>.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "volfile-int.h"

enum tok_kind {
    T_EOF,
    T_WORD,   /* unquoted, not a keyword */
    T_STRING, /* quoted */
    T_VOLUME,
    T_TYPE,
    T_OPTION,
    T_SUBVOLUMES,
    T_END_VOLUME,
};

static const struct {
    const char *text;
    size_t len;
    enum tok_kind kind;
} keywords[] = {
    {"volume", 6, T_VOLUME},          {"type", 4, T_TYPE},
    {"option", 6, T_OPTION},          {"subvolumes", 10, T_SUBVOLUMES},
    {"end-volume", 10, T_END_VOLUME},
};

struct token {
    enum tok_kind kind;
    const char *s; /* a word's bytes in the input, a string's in scratch */
    size_t len;
    gf_volfile_pos_t pos;
};

struct parser {
    const char *p, *end;    /* cursor and end of the input */
    const char *line_start; /* first byte of the cursor's line */
    unsigned line;
    struct token tok; /* the current token */
    char *scratch;    /* unescaped bytes of the last string */
    size_t scap;
    unsigned *subs; /* indexes of the subvolumes line being read */
    size_t capsubs;
    gf_volfile_t *vf;
    gf_volfile_error_t *err;
};

/* How much of a name or token an error message quotes. */
enum { SHOW_MAX = 40, SHOW_BUF = SHOW_MAX + 16 };

static const gf_volfile_pos_t nopos = {0, 0};

static void verror(gf_volfile_error_t *err, gf_volfile_pos_t pos,
                   const char *fmt, va_list ap) GF_PRINTF(3, 0);
static int fail(struct parser *ps, int code, gf_volfile_pos_t pos,
                const char *fmt, ...) GF_PRINTF(4, 5);
static void set_error(gf_volfile_error_t *err, gf_volfile_pos_t pos,
                      const char *fmt, ...) GF_PRINTF(3, 4);

static void
verror(gf_volfile_error_t *err, gf_volfile_pos_t pos, const char *fmt,
       va_list ap)
{
    if (!err)
        return;
    err->line = pos.line;
    err->column = pos.column;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

static void
set_error(gf_volfile_error_t *err, gf_volfile_pos_t pos, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    verror(err, pos, fmt, ap);
    va_end(ap);
}

/* Record the first (and only) error of a parse and return CODE. */
static int
fail(struct parser *ps, int code, gf_volfile_pos_t pos, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    verror(ps->err, pos, fmt, ap);
    va_end(ap);
    return code;
}

static int
nomem(struct parser *ps)
{
    return fail(ps, -ENOMEM, nopos, "out of memory");
}

/* Reset ERR for a parse of FILE; a long name keeps its informative tail. */
static void
error_init(gf_volfile_error_t *err, const char *file)
{
    size_t len = strlen(file), max = sizeof(err->file) - 1;

    memset(err, 0, sizeof(*err));
    if (len <= max)
        memcpy(err->file, file, len + 1);
    else
        snprintf(err->file, sizeof(err->file), "...%s", file + len - max + 3);
}

/* Quote LEN bytes of S for a message: truncated, control bytes as '?'. */
static const char *
show(const char *s, size_t len, char *buf)
{
    size_t n = len > SHOW_MAX ? SHOW_MAX : len, i;

    buf[0] = '\'';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        buf[i + 1] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    strcpy(buf + n + 1, len > n ? "...'" : "'");
    return buf;
}

static const char *
describe(const struct token *t, char *buf)
{
    switch (t->kind) {
    case T_EOF:
        return "end of file";
    case T_STRING:
        memcpy(buf, "string ", 7);
        show(t->s, t->len, buf + 7);
        return buf;
    default:
        return show(t->s, t->len, buf);
    }
}

static gf_volfile_pos_t
here(const struct parser *ps, const char *at)
{
    return (gf_volfile_pos_t){ps->line, (unsigned)(at - ps->line_start) + 1};
}

static int
is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static int
is_ctrl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/*
 * First pass over the raw bytes: NUL and line length. Done up front with
 * memchr because it is cheap, and so the lexer may assume every column
 * fits the line limit.
 */
static int
check_input(struct parser *ps)
{
    const char *s = ps->p, *nl, *z;
    unsigned line = 1;
    size_t len;

    while (s < ps->end) {
        nl = memchr(s, '\n', (size_t)(ps->end - s));
        len = (size_t)((nl ? nl : ps->end) - s);
        z = memchr(s, '\0', len);
        if (z)
            return fail(ps, -EINVAL,
                        (gf_volfile_pos_t){line, (unsigned)(z - s) + 1},
                        "NUL byte in input");
        if (len > GF_VOLFILE_MAX_LINE)
            return fail(ps, -E2BIG,
                        (gf_volfile_pos_t){line, GF_VOLFILE_MAX_LINE + 1},
                        "line longer than %d bytes", GF_VOLFILE_MAX_LINE);
        if (!nl)
            break;
        s = nl + 1;
        line++;
    }
    return 0;
}

static int
bad_char(struct parser *ps, unsigned char c)
{
    if (c == '`')
        return fail(ps, -EINVAL, here(ps, ps->p),
                    "backtick: command substitution is not supported");
    return fail(ps, -EINVAL, here(ps, ps->p),
                "control character 0x%02x in input", c);
}

static void
skip_blanks(struct parser *ps)
{
    const char *nl;

    while (ps->p < ps->end) {
        if (*ps->p == '\n') {
            ps->line++;
            ps->line_start = ++ps->p;
        } else if (is_blank((unsigned char)*ps->p)) {
            ps->p++;
        } else if (*ps->p == '#') {
            nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
            ps->p = nl ? nl : ps->end;
        } else {
            break;
        }
    }
}

static int
lex_word(struct parser *ps)
{
    const char *start = ps->p;

    while (ps->p < ps->end) {
        unsigned char c = (unsigned char)*ps->p;

        if (is_blank(c) || c == '"')
            break;
        if (c == '`' || is_ctrl(c))
            return bad_char(ps, c);
        ps->p++;
    }
    ps->tok.s = start;
    ps->tok.len = (size_t)(ps->p - start);
    if (ps->tok.len > GF_VOLFILE_MAX_TOKEN)
        return fail(ps, -E2BIG, ps->tok.pos, "word longer than %d bytes",
                    GF_VOLFILE_MAX_TOKEN);
    ps->tok.kind = T_WORD;
    for (size_t i = 0; i < GF_ARRAY_SIZE(keywords); i++) {
        if (keywords[i].len == ps->tok.len &&
            memcmp(keywords[i].text, start, ps->tok.len) == 0) {
            ps->tok.kind = keywords[i].kind;
            break;
        }
    }
    return 0;
}

/* True at the end of the cursor's line (LF, CRLF or end of input). */
static int
at_eol(const struct parser *ps)
{
    const char *p = ps->p;

    return p == ps->end || *p == '\n' ||
           (*p == '\r' && (p + 1 == ps->end || p[1] == '\n'));
}

static int
scratch_put(struct parser *ps, size_t n, char c)
{
    if (n == ps->scap) {
        size_t cap = ps->scap ? ps->scap * 2 : 64;
        char *s = realloc(ps->scratch, cap);

        if (!s)
            return nomem(ps);
        ps->scratch = s;
        ps->scap = cap;
    }
    ps->scratch[n] = c;
    return 0;
}

/* The byte an escape "\C" stands for, or 0 for an unknown escape. */
static char
unescape(unsigned char c)
{
    switch (c) {
    case '"':
    case '\\':
        return (char)c;
    case 'n':
        return '\n';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

static int
bad_escape(struct parser *ps, const char *bs)
{
    unsigned char c = (unsigned char)bs[1];

    if (c > 0x20 && c < 0x7f)
        return fail(ps, -EINVAL, here(ps, bs),
                    "unknown escape '\\%c' in string: expected \\\", \\\\, "
                    "\\n or \\t",
                    c);
    return fail(ps, -EINVAL, here(ps, bs),
                "unknown escape '\\' + byte 0x%02x in string: expected "
                "\\\", \\\\, \\n or \\t",
                c);
}

static int
lex_string(struct parser *ps)
{
    size_t n = 0;
    int r;

    ps->p++; /* the opening quote */
    for (;;) {
        unsigned char c;

        if (at_eol(ps))
            return fail(ps, -EINVAL, ps->tok.pos,
                        "unterminated string: expected '\"' before the end "
                        "of the %s",
                        ps->p == ps->end ? "file" : "line");
        c = (unsigned char)*ps->p;
        if (c == '"')
            break;
        if (c == '\\') {
            ps->p++;
            if (at_eol(ps))
                continue; /* reported as unterminated */
            c = (unsigned char)unescape((unsigned char)*ps->p);
            if (!c)
                return bad_escape(ps, ps->p - 1);
        } else if (c == '`' || (is_ctrl(c) && c != '\t')) {
            return bad_char(ps, c);
        }
        if (n == GF_VOLFILE_MAX_TOKEN)
            return fail(ps, -E2BIG, ps->tok.pos, "string longer than %d bytes",
                        GF_VOLFILE_MAX_TOKEN);
        r = scratch_put(ps, n++, (char)c);
        if (r)
            return r;
        ps->p++;
    }
    ps->p++; /* the closing quote */
    ps->tok.kind = T_STRING;
    ps->tok.s = n ? ps->scratch : "";
    ps->tok.len = n;
    return 0;
}

/* Advance to the next token. 0 or -errno (with the error recorded). */
static int
lex(struct parser *ps)
{
    skip_blanks(ps);
    ps->tok.pos = here(ps, ps->p);
    if (ps->p == ps->end) {
        ps->tok.kind = T_EOF;
        ps->tok.s = "";
        ps->tok.len = 0;
        return 0;
    }
    if (*ps->p == '"')
        return lex_string(ps);
    return lex_word(ps);
}

static int
is_text(const struct token *t)
{
    return t->kind == T_WORD || t->kind == T_STRING;
}

/* Why LEN bytes at S cannot be a volume name or key, or NULL if they can. */
static const char *
bad_name(const char *s, size_t len)
{
    if (!len)
        return "it is empty";
    for (size_t i = 0; i < len; i++)
        if (is_ctrl((unsigned char)s[i]))
            return "it contains a control character";
    return NULL;
}

/* Types become plugin paths (<xlatordir>/<type>.so): keep them tame. */
static const char *
bad_type(const char *s, size_t len)
{
    const char *slash = memchr(s, '/', len);

    if (len > GF_VOLFILE_MAX_TYPE)
        return "too long";
    if (!slash || slash == s || slash == s + len - 1 ||
        memchr(slash + 1, '/', len - (size_t)(slash + 1 - s)))
        return "not two parts around one '/'";
    if (s[0] == '.' || slash[1] == '.')
        return "a part starts with '.'";
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
            !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.' &&
            c != '/')
            return "a character outside A-Z a-z 0-9 _ - .";
    }
    return NULL;
}

static int
parse_type(struct parser *ps, struct vf_vol *v)
{
    char a[SHOW_BUF], b[SHOW_BUF];
    const char *why;
    int r = lex(ps);

    if (r)
        return r;
    if (!is_text(&ps->tok))
        return fail(ps, -EINVAL, ps->tok.pos,
                    "expected a translator type after 'type', got %s",
                    describe(&ps->tok, a));
    why = bad_type(ps->tok.s, ps->tok.len);
    if (why)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "bad type %s (%s): expected 'category/name' of letters, "
                    "digits, '_', '-' and '.' in volume %s",
                    show(ps->tok.s, ps->tok.len, a), why,
                    show(v->name, strlen(v->name), b));
    v->type = gf__volfile_strdup(ps->vf, ps->tok.s, ps->tok.len);
    if (!v->type)
        return nomem(ps);
    v->type_pos = ps->tok.pos;
    return lex(ps);
}

static int
parse_option(struct parser *ps, struct vf_vol *v)
{
    char a[SHOW_BUF], b[SHOW_BUF], c[SHOW_BUF];
    gf_volfile_option_t *o;
    const char *why;
    int r = lex(ps);

    if (r)
        return r;
    if (!is_text(&ps->tok))
        return fail(ps, -EINVAL, ps->tok.pos,
                    "expected an option name after 'option', got %s",
                    describe(&ps->tok, a));
    why = bad_name(ps->tok.s, ps->tok.len);
    if (why)
        return fail(ps, -EINVAL, ps->tok.pos, "bad option name %s: %s",
                    show(ps->tok.s, ps->tok.len, a), why);
    if (gf__volfile_reserve_option(v) < 0)
        return nomem(ps);
    o = &v->opts[v->nopts];
    o->key = gf__volfile_strdup(ps->vf, ps->tok.s, ps->tok.len);
    if (!o->key)
        return nomem(ps);
    o->key_pos = ps->tok.pos;
    r = lex(ps);
    if (r)
        return r;
    if (!is_text(&ps->tok))
        return fail(ps, -EINVAL, ps->tok.pos,
                    "expected a value for option %s in volume %s, got %s",
                    show(o->key, strlen(o->key), a),
                    show(v->name, strlen(v->name), b), describe(&ps->tok, c));
    o->value = gf__volfile_strdup(ps->vf, ps->tok.s, ps->tok.len);
    if (!o->value)
        return nomem(ps);
    o->value_pos = ps->tok.pos;
    v->nopts++;
    return lex(ps);
}

/* Resolve the current token as a subvolume of volume VI; store at N. */
static int
add_subvol(struct parser *ps, size_t vi, size_t n)
{
    char a[SHOW_BUF], b[SHOW_BUF];
    struct vf_vol *vols = ps->vf->vols;
    int si = gf__volfile_lookup(ps->vf, ps->tok.s, ps->tok.len);

    show(ps->tok.s, ps->tok.len, a);
    if (si >= 0 && (size_t)si == vi)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "volume %s lists itself as a subvolume (a cycle)", a);
    if (si < 0)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "undefined subvolume %s of volume %s: expected a volume "
                    "defined earlier in the file",
                    a, show(vols[vi].name, strlen(vols[vi].name), b));
    if (vols[si].mark == vi + 1)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "subvolume %s listed twice in volume %s", a,
                    show(vols[vi].name, strlen(vols[vi].name), b));
    vols[si].mark = vi + 1;
    if (n == ps->capsubs) {
        size_t cap = ps->capsubs ? ps->capsubs * 2 : 16;
        unsigned *s = realloc(ps->subs, cap * sizeof(*s));

        if (!s)
            return nomem(ps);
        ps->subs = s;
        ps->capsubs = cap;
    }
    ps->subs[n] = (unsigned)si;
    return 0;
}

static int
parse_subvolumes(struct parser *ps, size_t vi)
{
    char a[SHOW_BUF], b[SHOW_BUF];
    struct vf_vol *v = &ps->vf->vols[vi];
    size_t n = 0;
    int r;

    if (v->subs_pos.line)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "duplicate 'subvolumes' in volume %s (first at %u:%u)",
                    show(v->name, strlen(v->name), a), v->subs_pos.line,
                    v->subs_pos.column);
    v->subs_pos = ps->tok.pos;
    r = lex(ps);
    if (r)
        return r;
    if (!is_text(&ps->tok))
        return fail(ps, -EINVAL, ps->tok.pos,
                    "expected a volume name after 'subvolumes', got %s",
                    describe(&ps->tok, b));
    while (is_text(&ps->tok)) {
        r = add_subvol(ps, vi, n++);
        if (!r)
            r = lex(ps);
        if (r)
            return r;
    }
    v->subs = gf__volfile_alloc(ps->vf, n * sizeof(*v->subs));
    if (!v->subs)
        return nomem(ps);
    memcpy(v->subs, ps->subs, n * sizeof(*v->subs));
    v->nsubs = n;
    return 0;
}

/* The current token cannot continue the body of volume V opened at AT. */
static int
body_error(struct parser *ps, const struct vf_vol *v, gf_volfile_pos_t at)
{
    char a[SHOW_BUF], b[SHOW_BUF];

    show(v->name, strlen(v->name), a);
    if (ps->tok.kind == T_TYPE)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "duplicate 'type' in volume %s (first at %u:%u)", a,
                    v->type_pos.line, v->type_pos.column);
    if (ps->tok.kind == T_EOF)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "unexpected end of file: expected 'end-volume' for "
                    "volume %s opened at %u:%u",
                    a, at.line, at.column);
    return fail(ps, -EINVAL, ps->tok.pos,
                "expected 'option', 'subvolumes' or 'end-volume' in volume "
                "%s, got %s",
                a, describe(&ps->tok, b));
}

/* `volume NAME` up to the start of its body; returns the new index. */
static int
parse_head(struct parser *ps)
{
    char a[SHOW_BUF], b[SHOW_BUF];
    const char *why;
    int r = lex(ps), vi;

    if (r)
        return r;
    if (!is_text(&ps->tok))
        return fail(ps, -EINVAL, ps->tok.pos,
                    "expected a volume name after 'volume', got %s",
                    describe(&ps->tok, a));
    show(ps->tok.s, ps->tok.len, a);
    why = bad_name(ps->tok.s, ps->tok.len);
    if (why)
        return fail(ps, -EINVAL, ps->tok.pos, "bad volume name %s: %s", a, why);
    vi = gf__volfile_lookup(ps->vf, ps->tok.s, ps->tok.len);
    if (vi >= 0)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "duplicate volume %s (first defined at %u:%u)", a,
                    ps->vf->vols[vi].pos.line, ps->vf->vols[vi].pos.column);
    if (ps->vf->nvols >= GF_VOLFILE_MAX_VOLUMES)
        return fail(ps, -E2BIG, ps->tok.pos, "more than %d volumes",
                    GF_VOLFILE_MAX_VOLUMES);
    vi = gf__volfile_add_volume(ps->vf, ps->tok.s, ps->tok.len, ps->tok.pos);
    if (vi < 0)
        return nomem(ps);
    r = lex(ps);
    if (r)
        return r;
    if (ps->tok.kind != T_TYPE)
        return fail(ps, -EINVAL, ps->tok.pos,
                    "expected 'type' first in volume %s, got %s", a,
                    describe(&ps->tok, b));
    return vi;
}

static int
parse_volume(struct parser *ps)
{
    gf_volfile_pos_t at = ps->tok.pos; /* of 'volume' */
    struct vf_vol *v;
    int r, vi = parse_head(ps);

    if (vi < 0)
        return vi;
    /* No volume is added until 'end-volume', so V stays put. */
    v = &ps->vf->vols[vi];
    r = parse_type(ps, v);
    while (!r) {
        switch (ps->tok.kind) {
        case T_OPTION:
            r = parse_option(ps, v);
            break;
        case T_SUBVOLUMES:
            r = parse_subvolumes(ps, (size_t)vi);
            break;
        case T_END_VOLUME:
            if (gf__volfile_merge_options(v) < 0)
                return nomem(ps);
            return lex(ps);
        default:
            return body_error(ps, v, at);
        }
    }
    return r;
}

static int
parse_all(struct parser *ps)
{
    char a[SHOW_BUF];
    int r = check_input(ps);

    if (!r)
        r = lex(ps);
    while (!r && ps->tok.kind != T_EOF) {
        if (ps->tok.kind != T_VOLUME)
            return fail(ps, -EINVAL, ps->tok.pos, "expected 'volume', got %s",
                        describe(&ps->tok, a));
        r = parse_volume(ps);
    }
    if (!r && !ps->vf->nvols)
        r = fail(ps, -EINVAL, ps->tok.pos,
                 "expected 'volume', got end of file: a volfile needs at "
                 "least one volume");
    return r;
}

int
gf_volfile_parse(const char *text, size_t len, const char *filename,
                 gf_volfile_t **out, gf_volfile_error_t *err)
{
    struct parser ps;
    int r;

    if (!filename)
        filename = "<string>";
    if (err)
        error_init(err, filename);
    if (!out || (!text && len)) {
        set_error(err, nopos, "invalid argument");
        return -EINVAL;
    }
    *out = NULL;
    if (len > GF_VOLFILE_MAX_SIZE) {
        set_error(err, nopos, "file larger than %d bytes", GF_VOLFILE_MAX_SIZE);
        return -EFBIG;
    }
    memset(&ps, 0, sizeof(ps));
    ps.p = ps.line_start = text ? text : "";
    ps.end = ps.p + len;
    ps.line = 1;
    ps.err = err;
    ps.vf = gf__volfile_new();
    if (!ps.vf)
        return nomem(&ps);
    ps.vf->filename = gf__volfile_strdup(ps.vf, filename, strlen(filename));
    r = ps.vf->filename ? parse_all(&ps) : nomem(&ps);
    free(ps.scratch);
    free(ps.subs);
    if (r) {
        gf_volfile_free(ps.vf);
        return r;
    }
    *out = ps.vf;
    return 0;
}

/* Read all of PATH into *BUF (malloc'd) and *LEN. 0 or -errno. */
static int
read_all(const char *path, char **buf, size_t *len)
{
    /* Reading one byte more than the limit tells a too big file. */
    const size_t max = (size_t)GF_VOLFILE_MAX_SIZE + 1;
    size_t cap = 64 * 1024, n = 0;
    struct stat st;
    char *b = NULL, *nb;
    ssize_t got;
    int fd, r = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        r = -errno;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        r = -EISDIR;
        goto out;
    }
    if (st.st_size > 0 && (size_t)st.st_size < max)
        cap = (size_t)st.st_size + 1; /* +1 sees EOF without a realloc */
    for (;;) {
        if (n == cap || !b) {
            if (n == max)
                break;
            cap = n == cap ? (cap * 2 < max ? cap * 2 : max) : cap;
            nb = realloc(b, cap);
            if (!nb) {
                r = -ENOMEM;
                goto out;
            }
            b = nb;
        }
        got = read(fd, b + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            r = -errno;
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > GF_VOLFILE_MAX_SIZE)
        r = -EFBIG;
out:
    close(fd);
    if (r) {
        free(b);
        return r;
    }
    *buf = b;
    *len = n;
    return 0;
}

int
gf_volfile_parse_file(const char *path, gf_volfile_t **out,
                      gf_volfile_error_t *err)
{
    char *buf = NULL, msg[128];
    size_t len = 0;
    int r;

    if (!path || !out) {
        if (err) {
            error_init(err, path ? path : "");
            set_error(err, nopos, "invalid argument");
        }
        return -EINVAL;
    }
    *out = NULL;
    r = read_all(path, &buf, &len);
    if (r) {
        if (err) {
            error_init(err, path);
            if (r == -EFBIG)
                set_error(err, nopos, "file larger than %d bytes",
                          GF_VOLFILE_MAX_SIZE);
            else
                set_error(err, nopos, "cannot read: %s",
                          strerror_r(-r, msg, sizeof(msg)));
        }
        return r;
    }
    r = gf_volfile_parse(buf, len, path, out, err);
    free(buf);
    return r;
}

int
gf_volfile_error_format(const gf_volfile_error_t *err, char *buf, size_t size)
{
    if (!err || (!buf && size))
        return -EINVAL;
    if (err->line)
        return snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line,
                        err->column, err->message);
    return snprintf(buf, size, "%s: %s", err->file, err->message);
}
