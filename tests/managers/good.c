/*
 * good.c - a correct manager, written as a student would: `tlssim grade`
 * must give it full marks, loaded with dlopen.
 */
#define MANAGER_NAME "good"
#include "manager.h"
