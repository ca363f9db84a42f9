/*
 * wrong_version.c - a manager built against another version of the
 * interface (version 3, from the future). `tlssim grade` must refuse it.
 */
#define MANAGER_VERSION 3u
#include "manager.h"
