/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * dirent.c - lists of directory entries, as readdir and readdirp return
 * them: singly linked, appended at the tail, freed as a whole.
 */
#include <errno.h>
#include <string.h>

#include <gf/dict.h>
#include <gf/fop.h>
#include <gf/inode.h>
#include <gf/mem-acct.h>

#define NAME_MAX_BYTES 4095

void
gf_dirents_init(gf_dirents_t *list)
{
    GF_ASSERT(list != NULL);
    list->head = NULL;
    list->tail = &list->head;
    list->count = 0;
}

gf_dirent_t *
gf_dirent_new(const char *name, size_t namelen)
{
    gf_dirent_t *e;

    if (!name || namelen > NAME_MAX_BYTES) {
        errno = EINVAL;
        return NULL;
    }
    e = gf_calloc(NULL, GF_MT_OTHER, 1, sizeof(*e) + namelen + 1);
    if (!e)
        return NULL;
    memcpy(e->name, name, namelen);
    e->name[namelen] = '\0';
    return e;
}

void
gf_dirents_append(gf_dirents_t *list, gf_dirent_t *entry)
{
    GF_ASSERT(list != NULL && entry != NULL);
    entry->next = NULL;
    *list->tail = entry;
    list->tail = &entry->next;
    list->count++;
}

void
gf_dirents_free(gf_dirents_t *list)
{
    gf_dirent_t *e, *next;

    if (!list)
        return;
    for (e = list->head; e; e = next) {
        next = e->next;
        if (e->inode)
            gf_inode_unref(e->inode);
        if (e->dict)
            gf_dict_unref(e->dict);
        gf_free(e);
    }
    gf_dirents_init(list);
}
