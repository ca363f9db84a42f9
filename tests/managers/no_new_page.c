/*
 * no_new_page.c - a broken manager: it maps its first page, and when that
 * is full it answers VirtualMemoryExhaustion instead of mapping another.
 */
#define MANAGER_NAME "no-new-page"
#define MAY_MAP(m) ((m)->pages == 0)
#include "manager.h"
