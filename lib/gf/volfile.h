/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/volfile.h - parse GlusterFS volfiles into a plain description.
 *
 * A volfile lists translators ("volumes"), each with a type, options and
 * subvolumes; the last volume is the top of the graph:
 *
 *     volume NAME
 *         type CATEGORY/NAME
 *         option KEY VALUE
 *         subvolumes NAME...
 *     end-volume
 *
 * This unit only reads the text (no dlopen, no option validation): the
 * graph builder turns the result into loaded translators. Volumes are
 * numbered 0..count-1 in file order; each subvolume names a volume defined
 * earlier, so every subvolume index is smaller than its parent's and the
 * graph is a DAG (a volume may have several parents).
 *
 * Lexical rules (compatible with GlusterFS, minus its legacy features):
 * - Keywords `volume`, `type`, `option`, `subvolumes`, `end-volume` are
 *   lowercase whole unquoted words; quote a key or value spelled like one.
 * - Blanks are space, tab, CR, LF, VT and FF, so CRLF files parse. `#` at
 *   the start of a token comments out the rest of the line; inside a word
 *   it is an ordinary character.
 * - A word is a run of bytes other than blanks and `"`. A string is
 *   `"..."` on one line, with escapes \" \\ \n \t; any other escape is an
 *   error. A word or string may stand wherever a name, type, key or value
 *   is expected.
 * - A backtick outside comments is an error: GlusterFS executed the text
 *   between backticks with popen(), which we refuse to do.
 * - A NUL byte anywhere, or another control character outside comments
 *   (except tab), is an error.
 * - `subvolumes` appears at most once per volume, lists each name once,
 *   and names only volumes defined earlier; a volume naming itself is
 *   reported as a cycle. Names, keys and types must not be empty.
 * - `option KEY VALUE` with a KEY seen before in the same volume: the later
 *   value wins silently (as upstream); the option keeps the place of the
 *   first occurrence in the order and takes the value and positions of the
 *   last.
 * Positions are 1-based lines and 1-based byte columns (a tab is one
 * column).
 *
 * A parsed volfile is immutable except through gf_volfile_override; any
 * number of threads may read it concurrently while nobody overrides.
 */
#ifndef GF_VOLFILE_H
#define GF_VOLFILE_H

#include <stddef.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits; exceeding one is an error (-EFBIG for the size, else -E2BIG). */
enum {
    GF_VOLFILE_MAX_SIZE = 16 * 1024 * 1024, /* bytes of a whole file */
    GF_VOLFILE_MAX_LINE = 1024 * 1024,      /* bytes of one line */
    GF_VOLFILE_MAX_TOKEN = 64 * 1024,       /* bytes of a word or string */
    GF_VOLFILE_MAX_TYPE = 255,              /* bytes of a type */
    GF_VOLFILE_MAX_VOLUMES = 10000,         /* volumes in a file */
};

enum {
    GF_VOLFILE_ERR_FILE_MAX = 256, /* size of gf_volfile_error_t.file */
    GF_VOLFILE_ERR_MSG_MAX = 256,  /* size of gf_volfile_error_t.message */
};

/*
 * Why a parse failed. FILE is the file name given to the parser (its tail
 * if it is too long); LINE and COLUMN locate the offending token (0 and 0
 * when the error has no position: I/O errors, file too large); MESSAGE
 * says what was expected and what was found, e.g.
 * "expected 'option', 'subvolumes' or 'end-volume', got 'volume'".
 */
typedef struct gf_volfile_error {
    char file[GF_VOLFILE_ERR_FILE_MAX];
    unsigned line;
    unsigned column;
    char message[GF_VOLFILE_ERR_MSG_MAX];
} gf_volfile_error_t;

/* A place in the volfile; line 0 means "not from the file" (an override). */
typedef struct gf_volfile_pos {
    unsigned line;
    unsigned column;
} gf_volfile_pos_t;

/* One option of a volume, as the parser stored it. */
typedef struct gf_volfile_option {
    const char *key;
    const char *value;          /* may be empty ("") but never NULL */
    gf_volfile_pos_t key_pos;   /* of the KEY token */
    gf_volfile_pos_t value_pos; /* of the VALUE token */
} gf_volfile_option_t;

/* The parsed file (opaque). */
typedef struct gf_volfile gf_volfile_t;

/*
 * Parse LEN bytes of TEXT (need not be NUL-terminated). FILENAME (NULL:
 * "<string>") is only used in error reports and copied. On success stores
 * a new volfile in *OUT (free with gf_volfile_free) and returns 0. On
 * failure *OUT is NULL, ERR (if not NULL) is filled, and the return is
 * -EINVAL (syntax or structure), -E2BIG (a limit other than the size),
 * -EFBIG (LEN > GF_VOLFILE_MAX_SIZE) or -ENOMEM. A NULL OUT, or a NULL TEXT
 * with a nonzero LEN, gives -EINVAL. Thread-safe (no shared state).
 */
GF_EXPORT int gf_volfile_parse(const char *text, size_t len,
                               const char *filename, gf_volfile_t **out,
                               gf_volfile_error_t *err);

/*
 * Read the file at PATH and parse it as gf_volfile_parse does, with PATH as
 * the file name. Errors as gf_volfile_parse, plus -errno of open/read
 * (e.g. -ENOENT) with line 0 in ERR.
 */
GF_EXPORT int gf_volfile_parse_file(const char *path, gf_volfile_t **out,
                                    gf_volfile_error_t *err);

/* Free VF and everything it owns (strings and option views included).
 * NULL is ignored. */
GF_EXPORT void gf_volfile_free(gf_volfile_t *vf);

/*
 * Write ERR as "FILE:LINE:COLUMN: MESSAGE" (or "FILE: MESSAGE" without a
 * position) into BUF of SIZE bytes, always NUL-terminated when SIZE > 0.
 * Returns the length the full text needs (as snprintf), or -EINVAL for a
 * NULL ERR, or a NULL BUF with a nonzero SIZE.
 */
GF_EXPORT int gf_volfile_error_format(const gf_volfile_error_t *err, char *buf,
                                      size_t size);

/* File name VF was parsed from (as given to the parser); NULL for NULL. */
GF_EXPORT const char *gf_volfile_filename(const gf_volfile_t *vf);

/* Number of volumes (at least 1 in a parsed file); 0 for NULL. */
GF_EXPORT size_t gf_volfile_count(const gf_volfile_t *vf);

/* Index of the top volume (the last one, count - 1); -EINVAL for NULL. */
GF_EXPORT int gf_volfile_top(const gf_volfile_t *vf);

/* Index of the volume called NAME, -ENOENT if none, -EINVAL for NULL
 * arguments. O(1) on average. */
GF_EXPORT int gf_volfile_find(const gf_volfile_t *vf, const char *name);

/*
 * Name and type ("category/name") of volume VOL, valid until VF is freed;
 * NULL for a NULL VF or VOL out of range.
 */
GF_EXPORT const char *gf_volfile_name(const gf_volfile_t *vf, size_t vol);
GF_EXPORT const char *gf_volfile_type(const gf_volfile_t *vf, size_t vol);

/* Position of the name in `volume NAME` of volume VOL ({0,0} if out of
 * range). */
GF_EXPORT gf_volfile_pos_t gf_volfile_pos(const gf_volfile_t *vf, size_t vol);

/* Number of distinct option keys of volume VOL (0 if out of range). */
GF_EXPORT size_t gf_volfile_noptions(const gf_volfile_t *vf, size_t vol);

/*
 * Option I (0-based, file order of first occurrence) of volume VOL; NULL
 * if out of range. The view is valid until VF is freed or an override of
 * this volume (which may move or replace it).
 */
GF_EXPORT const gf_volfile_option_t *gf_volfile_option(const gf_volfile_t *vf,
                                                       size_t vol, size_t i);

/* The option of volume VOL whose key is KEY, NULL if none (or bad
 * arguments). Linear in the volume's option count. */
GF_EXPORT const gf_volfile_option_t *
gf_volfile_option_find(const gf_volfile_t *vf, size_t vol, const char *key);

/* Number of subvolumes of volume VOL (0 for leaves and out of range). */
GF_EXPORT size_t gf_volfile_nsubvols(const gf_volfile_t *vf, size_t vol);

/*
 * Volume index of subvolume I of volume VOL, in `subvolumes` order; always
 * smaller than VOL. -EINVAL if out of range.
 */
GF_EXPORT int gf_volfile_subvol(const gf_volfile_t *vf, size_t vol, size_t i);

/*
 * Apply a command line override SPEC "VOL.KEY=VALUE" (as --xlator-option):
 * the spec is split at its first '.' and the first '=' after it; VOL is an
 * fnmatch(3) pattern matched against every volume name (so '*' means all
 * volumes); KEY is set to VALUE in each matching volume, replacing an
 * existing value or appending a new option with positions {0,0}. VALUE may
 * be empty. All or nothing: either every match is updated or none.
 * Returns 0, -EINVAL (NULL argument; no '.', no '=' after it, empty VOL
 * or KEY, or a control character in KEY), -ENOENT (no volume matches) or
 * -ENOMEM. Not thread-safe against readers of VF.
 */
GF_EXPORT int gf_volfile_override(gf_volfile_t *vf, const char *spec);

/*
 * 1 if A and B have the same topology: the same volume names, each with
 * the same type and the same subvolumes in the same order, and the same
 * top; options and the order of definitions may differ. 0 otherwise,
 * -EINVAL if either is NULL. Used on SIGHUP to choose between reconfigure
 * (same topology) and a new graph.
 */
GF_EXPORT int gf_volfile_same_topology(const gf_volfile_t *a,
                                       const gf_volfile_t *b);

#ifdef __cplusplus
}
#endif

#endif /* GF_VOLFILE_H */
