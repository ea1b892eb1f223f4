/* placeholder: owned by a helper, being written */
typedef int gf__placeholder_dict_wire;
