/*
 * hostile_name.c - a table whose name points nowhere ((char *)1): reading
 * it crashes. The grader must say the name is unreadable and grade the
 * rest, which is correct.
 */
#define MANAGER_NAME ((const char *)1)
#include "manager.h"
