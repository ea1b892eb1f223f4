/* placeholder: owned by a helper, being written */
#ifndef GF_LOG_H
#define GF_LOG_H
#endif
