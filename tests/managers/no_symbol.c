/*
 * no_symbol.c - not a manager tlssim can find: its ops table is called
 * my_manager_ops, not tls_manager_ops. `tlssim grade` must refuse it.
 */
#define tls_manager_ops my_manager_ops
#include "manager.h"
