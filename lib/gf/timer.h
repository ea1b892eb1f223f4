/* placeholder: owned by a helper, being written */
#ifndef GF_TIMER_H
#define GF_TIMER_H
#endif
