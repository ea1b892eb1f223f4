/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * server-fops.h - what the FOP actor files share: common callbacks and
 * the parts of the actor table defined outside server-fops-2.c.
 */
#ifndef GF_SERVER_FOPS_H
#define GF_SERVER_FOPS_H

#include "server-int.h"

enum {
    /* Most payload iovecs a READ reply forwards from the child. */
    GF_READ_MAX_IOV = 16,
};

void server__fix_root(const gf_loc_t *loc, gf_iatt_t *buf);
void server__fd_start(server_state_t *st, int64_t remote_fd,
                      server_resume_fn_t fn);
int server__common_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self,
                       int32_t op_ret, int32_t op_errno, gf_dict_t *xdata);
int server__2iatt_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self,
                      int32_t op_ret, int32_t op_errno, gf_iatt_t *pre,
                      gf_iatt_t *post, gf_dict_t *xdata);

extern const gf_rpcsvc_actor_t server__fop_actors1[];
extern const unsigned server__fop_nactors1;
extern const gf_rpcsvc_actor_t server__fop_actors3[];
extern const unsigned server__fop_nactors3;

#endif /* GF_SERVER_FOPS_H */
