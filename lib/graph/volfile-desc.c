/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * volfile-desc.c - the parsed volfile: storage, walking, command line
 * overrides and topology comparison.
 *
 * Every string (names, types, keys, values, the file name) and every
 * subvolume array lives in an arena of chunks freed all at once, so a
 * volfile of thousands of options costs a few dozen allocations and
 * gf_volfile_free cannot leak a piece. Only the volume array and each
 * volume's option array are separately allocated, because they grow.
 * Volume names are indexed by an open-addressing hash table so that
 * subvolume resolution, duplicate detection and gf_volfile_find stay
 * linear in the file size even at the 10,000-volume limit. Memory is plain
 * malloc: a volfile is short-lived control-plane data, and the parser must
 * build stand-alone for the fuzzer.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "volfile-int.h"

struct vf_chunk {
    struct vf_chunk *next;
    size_t used, size;
    max_align_t data[]; /* aligned storage of SIZE bytes */
};

enum { CHUNK_MIN = 4096 - sizeof(struct vf_chunk), HTAB_MIN = 16 };

gf_volfile_t *
gf__volfile_new(void)
{
    return calloc(1, sizeof(gf_volfile_t));
}

void *
gf__volfile_alloc(gf_volfile_t *vf, size_t size)
{
    const size_t align = sizeof(max_align_t);
    struct vf_chunk *c = vf->chunks;
    void *p;

    size = (size + align - 1) & ~(align - 1);
    if (!c || c->size - c->used < size) {
        /* Grow chunks with the file so big files need few of them. */
        size_t n = c ? c->size * 2 : CHUNK_MIN;

        if (n > 1024 * 1024)
            n = 1024 * 1024;
        if (n < size)
            n = size;
        c = malloc(sizeof(*c) + n);
        if (!c)
            return NULL;
        c->size = n;
        c->used = 0;
        c->next = vf->chunks;
        vf->chunks = c;
    }
    p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

char *
gf__volfile_strdup(gf_volfile_t *vf, const char *s, size_t len)
{
    char *d = gf__volfile_alloc(vf, len + 1);

    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

void
gf_volfile_free(gf_volfile_t *vf)
{
    struct vf_chunk *c, *next;

    if (!vf)
        return;
    for (size_t i = 0; i < vf->nvols; i++)
        free(vf->vols[i].opts);
    free(vf->vols);
    free(vf->htab);
    for (c = vf->chunks; c; c = next) {
        next = c->next;
        free(c);
    }
    free(vf);
}

/* FNV-1a: names are short and trusted-ish; simplicity wins. */
static size_t
hash(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ull;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 29));
}

static int
same_name(const char *stored, const char *s, size_t len)
{
    return strncmp(stored, s, len) == 0 && stored[len] == '\0';
}

int
gf__volfile_lookup(const gf_volfile_t *vf, const char *name, size_t len)
{
    size_t mask = vf->hcap - 1;

    if (!vf->hcap)
        return -1;
    for (size_t i = hash(name, len) & mask;; i = (i + 1) & mask) {
        unsigned slot = vf->htab[i];

        if (!slot)
            return -1;
        if (same_name(vf->vols[slot - 1].name, name, len))
            return (int)(slot - 1);
    }
}

static void
htab_put(unsigned *tab, size_t cap, const char *name, unsigned slot)
{
    size_t mask = cap - 1;
    size_t i = hash(name, strlen(name)) & mask;

    while (tab[i])
        i = (i + 1) & mask;
    tab[i] = slot;
}

/* Keep the table at most half full so probes stay short. */
static int
htab_grow(gf_volfile_t *vf)
{
    size_t cap = vf->hcap ? vf->hcap * 2 : HTAB_MIN;
    unsigned *tab = calloc(cap, sizeof(*tab));

    if (!tab)
        return -ENOMEM;
    for (size_t i = 0; i < vf->nvols; i++)
        htab_put(tab, cap, vf->vols[i].name, (unsigned)i + 1);
    free(vf->htab);
    vf->htab = tab;
    vf->hcap = cap;
    return 0;
}

int
gf__volfile_add_volume(gf_volfile_t *vf, const char *name, size_t len,
                       gf_volfile_pos_t pos)
{
    struct vf_vol *v;

    if (vf->nvols == vf->capvols) {
        size_t cap = vf->capvols ? vf->capvols * 2 : 8;

        v = realloc(vf->vols, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        vf->vols = v;
        vf->capvols = cap;
    }
    if ((vf->nvols + 1) * 2 > vf->hcap && htab_grow(vf) < 0)
        return -ENOMEM;
    v = &vf->vols[vf->nvols];
    memset(v, 0, sizeof(*v));
    v->name = gf__volfile_strdup(vf, name, len);
    if (!v->name)
        return -ENOMEM;
    v->pos = pos;
    htab_put(vf->htab, vf->hcap, v->name, (unsigned)vf->nvols + 1);
    return (int)vf->nvols++;
}

int
gf__volfile_reserve_option(struct vf_vol *v)
{
    gf_volfile_option_t *o;
    size_t cap;

    if (v->nopts < v->capopts)
        return 0;
    cap = v->capopts ? v->capopts * 2 : 8;
    o = realloc(v->opts, cap * sizeof(*o));
    if (!o)
        return -ENOMEM;
    v->opts = o;
    v->capopts = cap;
    return 0;
}

struct keyref {
    const char *key;
    size_t i;
};

static int
keyref_cmp(const void *a, const void *b)
{
    const struct keyref *x = a, *y = b;
    int r = strcmp(x->key, y->key);

    if (r)
        return r;
    return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Sorting by (key, index) finds repeats in O(n log n): a volfile may hold
 * a million options, where the obvious pairwise scan would never finish.
 */
int
gf__volfile_merge_options(struct vf_vol *v)
{
    struct keyref *r;
    size_t i, j, n = v->nopts, out = 0;
    int dups = 0;

    if (n < 2)
        return 0;
    r = malloc(n * sizeof(*r));
    if (!r)
        return -ENOMEM;
    for (i = 0; i < n; i++)
        r[i] = (struct keyref){v->opts[i].key, i};
    qsort(r, n, sizeof(*r), keyref_cmp);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && strcmp(r[i].key, r[j].key) == 0; j++)
            v->opts[r[j].i].key = NULL; /* superseded place */
        if (j - i > 1) {
            gf_volfile_option_t *first = &v->opts[r[i].i];
            const gf_volfile_option_t *last = &v->opts[r[j - 1].i];

            /* LAST's key was just cleared; FIRST's is the same text. */
            first->value = last->value;
            first->key_pos = last->key_pos;
            first->value_pos = last->value_pos;
            dups = 1;
        }
    }
    free(r);
    if (!dups)
        return 0;
    for (i = 0; i < n; i++)
        if (v->opts[i].key)
            v->opts[out++] = v->opts[i];
    v->nopts = out;
    return 0;
}

const char *
gf_volfile_filename(const gf_volfile_t *vf)
{
    return vf ? vf->filename : NULL;
}

size_t
gf_volfile_count(const gf_volfile_t *vf)
{
    return vf ? vf->nvols : 0;
}

int
gf_volfile_top(const gf_volfile_t *vf)
{
    if (!vf || !vf->nvols)
        return -EINVAL;
    return (int)vf->nvols - 1;
}

int
gf_volfile_find(const gf_volfile_t *vf, const char *name)
{
    int i;

    if (!vf || !name)
        return -EINVAL;
    i = gf__volfile_lookup(vf, name, strlen(name));
    return i < 0 ? -ENOENT : i;
}

static const struct vf_vol *
vol_at(const gf_volfile_t *vf, size_t vol)
{
    return vf && vol < vf->nvols ? &vf->vols[vol] : NULL;
}

const char *
gf_volfile_name(const gf_volfile_t *vf, size_t vol)
{
    const struct vf_vol *v = vol_at(vf, vol);

    return v ? v->name : NULL;
}

const char *
gf_volfile_type(const gf_volfile_t *vf, size_t vol)
{
    const struct vf_vol *v = vol_at(vf, vol);

    return v ? v->type : NULL;
}

gf_volfile_pos_t
gf_volfile_pos(const gf_volfile_t *vf, size_t vol)
{
    const struct vf_vol *v = vol_at(vf, vol);

    return v ? v->pos : (gf_volfile_pos_t){0, 0};
}

size_t
gf_volfile_noptions(const gf_volfile_t *vf, size_t vol)
{
    const struct vf_vol *v = vol_at(vf, vol);

    return v ? v->nopts : 0;
}

const gf_volfile_option_t *
gf_volfile_option(const gf_volfile_t *vf, size_t vol, size_t i)
{
    const struct vf_vol *v = vol_at(vf, vol);

    return v && i < v->nopts ? &v->opts[i] : NULL;
}

const gf_volfile_option_t *
gf_volfile_option_find(const gf_volfile_t *vf, size_t vol, const char *key)
{
    const struct vf_vol *v = vol_at(vf, vol);

    if (!v || !key)
        return NULL;
    for (size_t i = 0; i < v->nopts; i++)
        if (strcmp(v->opts[i].key, key) == 0)
            return &v->opts[i];
    return NULL;
}

size_t
gf_volfile_nsubvols(const gf_volfile_t *vf, size_t vol)
{
    const struct vf_vol *v = vol_at(vf, vol);

    return v ? v->nsubs : 0;
}

int
gf_volfile_subvol(const gf_volfile_t *vf, size_t vol, size_t i)
{
    const struct vf_vol *v = vol_at(vf, vol);

    if (!v || i >= v->nsubs)
        return -EINVAL;
    return (int)v->subs[i];
}

/* Split "VOL.KEY=VALUE" in place into its three parts. */
static int
split_spec(char *s, char **vol, char **key, char **value)
{
    char *dot = strchr(s, '.');
    char *eq = dot ? strchr(dot + 1, '=') : NULL;

    if (!dot || !eq || dot == s || eq == dot + 1)
        return -EINVAL;
    *dot = *eq = '\0';
    for (const char *p = dot + 1; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return -EINVAL;
    *vol = s;
    *key = dot + 1;
    *value = eq + 1;
    return 0;
}

/* Set KEY to VALUE (both already in the arena) in V; room was reserved. */
static void
set_option(struct vf_vol *v, const char *key, const char *value)
{
    gf_volfile_option_t *o = NULL;

    for (size_t i = 0; i < v->nopts && !o; i++)
        if (strcmp(v->opts[i].key, key) == 0)
            o = &v->opts[i];
    if (!o) {
        o = &v->opts[v->nopts++];
        o->key = key;
    }
    o->value = value;
    o->key_pos = o->value_pos = (gf_volfile_pos_t){0, 0};
}

int
gf_volfile_override(gf_volfile_t *vf, const char *spec)
{
    char *copy, *vol, *key, *value;
    const char *k = NULL, *val = NULL;
    size_t i, matches = 0;
    int ret;

    if (!vf || !spec)
        return -EINVAL;
    copy = strdup(spec);
    if (!copy)
        return -ENOMEM;
    ret = split_spec(copy, &vol, &key, &value);
    if (ret < 0)
        goto out;
    /* First pass: everything that can fail (room, copies); the second
     * pass cannot fail, which makes the override all or nothing. */
    for (i = 0; i < vf->nvols; i++) {
        if (fnmatch(vol, vf->vols[i].name, 0) != 0)
            continue;
        matches++;
        ret = gf__volfile_reserve_option(&vf->vols[i]);
        if (ret < 0)
            goto out;
    }
    ret = -ENOENT;
    if (!matches)
        goto out;
    ret = -ENOMEM;
    k = gf__volfile_strdup(vf, key, strlen(key));
    val = gf__volfile_strdup(vf, value, strlen(value));
    if (!k || !val)
        goto out;
    for (i = 0; i < vf->nvols; i++)
        if (fnmatch(vol, vf->vols[i].name, 0) == 0)
            set_option(&vf->vols[i], k, val);
    ret = 0;
out:
    free(copy);
    return ret;
}

static int
same_subvols(const gf_volfile_t *a, const struct vf_vol *va,
             const gf_volfile_t *b, const struct vf_vol *vb)
{
    if (va->nsubs != vb->nsubs)
        return 0;
    for (size_t k = 0; k < va->nsubs; k++)
        if (strcmp(a->vols[va->subs[k]].name, b->vols[vb->subs[k]].name))
            return 0;
    return 1;
}

int
gf_volfile_same_topology(const gf_volfile_t *a, const gf_volfile_t *b)
{
    if (!a || !b)
        return -EINVAL;
    if (a->nvols != b->nvols || !a->nvols)
        return a->nvols == b->nvols;
    if (strcmp(a->vols[a->nvols - 1].name, b->vols[b->nvols - 1].name))
        return 0;
    /* Same count and every name of A found in B: a bijection, since names
     * are unique within each file. */
    for (size_t i = 0; i < a->nvols; i++) {
        const struct vf_vol *va = &a->vols[i];
        int j = gf__volfile_lookup(b, va->name, strlen(va->name));

        if (j < 0 || strcmp(va->type, b->vols[j].type) ||
            !same_subvols(a, va, b, &b->vols[j]))
            return 0;
    }
    return 1;
}
