/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * volfile-int.h - the in-memory volfile shared by the parser (volfile.c)
 * and the description's accessors, overrides and comparison
 * (volfile-desc.c). Not installed.
 */
#ifndef GF_VOLFILE_INT_H
#define GF_VOLFILE_INT_H

#include <stddef.h>

#include <gf/volfile.h>

struct vf_chunk;

struct vf_vol {
    char *name;           /* in the arena */
    char *type;           /* in the arena; NULL until the type line is parsed */
    gf_volfile_pos_t pos; /* of the name */
    gf_volfile_pos_t type_pos; /* of the type value */
    gf_volfile_pos_t subs_pos; /* of 'subvolumes'; line 0 if none yet */
    gf_volfile_option_t *opts; /* malloc'd array; strings in the arena */
    size_t nopts, capopts;
    unsigned *subs; /* volume indexes, in the arena */
    size_t nsubs;
    size_t mark; /* parser scratch: parent index + 1 that listed it last */
};

struct gf_volfile {
    char *filename; /* in the arena */
    struct vf_vol *vols;
    size_t nvols, capvols;
    unsigned *htab; /* name hash: volume index + 1, 0 for an empty slot */
    size_t hcap;    /* power of two, at least twice nvols */
    struct vf_chunk *chunks; /* arena: strings and subvolume arrays */
};

/* An empty volfile (no volume yet), or NULL with errno ENOMEM. */
gf_volfile_t *gf__volfile_new(void);

/* Arena copy of LEN bytes of S, NUL-terminated; NULL if out of memory. */
char *gf__volfile_strdup(gf_volfile_t *vf, const char *s, size_t len);

/* SIZE bytes from the arena, aligned for any scalar; NULL if no memory. */
void *gf__volfile_alloc(gf_volfile_t *vf, size_t size);

/* Index of the volume whose name is the LEN bytes at NAME, or -1. */
int gf__volfile_lookup(const gf_volfile_t *vf, const char *name, size_t len);

/* Append a volume named by the LEN bytes at NAME (must be new) at POS.
 * Returns its index, or -ENOMEM. */
int gf__volfile_add_volume(gf_volfile_t *vf, const char *name, size_t len,
                           gf_volfile_pos_t pos);

/* Make room for one more option in volume V. 0 or -ENOMEM. */
int gf__volfile_reserve_option(struct vf_vol *v);

/* Merge repeated keys of volume V (the later value wins, at the place of
 * the first occurrence). 0 or -ENOMEM. */
int gf__volfile_merge_options(struct vf_vol *v);

#endif /* GF_VOLFILE_INT_H */
