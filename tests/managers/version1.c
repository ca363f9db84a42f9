/*
 * version1.c - a correct manager built against version 1 of the interface,
 * before the explain op: its table ends at for_each_page. `tlssim grade`
 * must still load and grade it.
 */
#define MANAGER_VERSION 1u
#define MANAGER_NAME "version1"
#include "manager.h"
