/* placeholder: owned by a helper, being written */
#ifndef GF_MEM_ACCT_H
#define GF_MEM_ACCT_H
#endif
