/* placeholder: owned by a helper, being written */
#ifndef GF_IOBUF_H
#define GF_IOBUF_H
#endif
