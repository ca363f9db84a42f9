/*
 * wrong_version.c - a manager built against another version of the
 * interface (version 2). `tlssim grade` must refuse it.
 */
#define MANAGER_VERSION 2u
#include "manager.h"
