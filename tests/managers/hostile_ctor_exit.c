/*
 * hostile_ctor_exit.c - a manager that ends its process while it is
 * loaded. The grader must refuse it, saying so, not end with it.
 */
#define MANAGER_NAME "hostile_ctor_exit"
#define ON_LOAD() exit(0)
#include "manager.h"
