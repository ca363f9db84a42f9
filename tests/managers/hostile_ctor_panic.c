/*
 * hostile_ctor_panic.c - a manager that panics while it is loaded (in a
 * constructor). The grader must refuse it with the panic's message, not
 * abort.
 */
#define MANAGER_NAME "hostile_ctor_panic"
#define ON_LOAD() tlsm_panic("no loading today")
#include "manager.h"
