/* placeholder */
typedef int gf__placeholder_ctx;
