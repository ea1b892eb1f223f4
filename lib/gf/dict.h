/* placeholder: owned by a helper, being written */
#ifndef GF_DICT_H
#define GF_DICT_H
#endif
