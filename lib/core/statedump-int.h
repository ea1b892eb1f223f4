/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * statedump-int.h - what statedump.c needs from other libgf sources.
 * Never installed.
 */
#ifndef GF_STATEDUMP_INT_H
#define GF_STATEDUMP_INT_H

#include <stdio.h>

#include <gf/fop.h>

/*
 * Write POOL's live stacks and their frames to OUT as statedump sections
 * ("[global.callpool]", "[global.callpool.stack.N]" and
 * "[global.callpool.stack.N.frame.M]"), under the pool lock. OUT should be
 * a memory stream: the lock is held while writing to it. Frames are read
 * without their stack's owner knowing, so a frame being wound or unwound
 * at that moment may show its old or new state. Returns 0, -EINVAL (NULL
 * argument) or -EIO (write failed).
 */
int gf__call_pool_dump(gf_call_pool_t *pool, FILE *out);

#endif /* GF_STATEDUMP_INT_H */
