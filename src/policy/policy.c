/*
 * policy.c - the table of built-in TLS managers.
 */
#include <config.h>

#include "policy.h"

#include <stdio.h>
#include <string.h>

#define TLS_POLICY_ROW(name, order) &tls_##name##_ops,
static const struct tls_manager_ops *const policies[] = {
	TLS_POLICIES(TLS_POLICY_ROW)
};
#undef TLS_POLICY_ROW

#define TLS_POLICY_ORDER(name, order) TLS_ORDER_##order,
static const enum tls_page_order orders[] = {
	TLS_POLICIES(TLS_POLICY_ORDER)
};
#undef TLS_POLICY_ORDER

enum tls_page_order tls_policy_page_order(const struct tls_manager_ops *ops)
{
	for (size_t i = 0; i < tls_policy_count(); i++)
		if (policies[i] == ops)
			return orders[i];
	return TLS_ORDER_UNKNOWN;
}

size_t tls_policy_count(void)
{
	return sizeof(policies) / sizeof(policies[0]);
}

const struct tls_manager_ops *tls_policy_at(size_t i)
{
	if (i >= tls_policy_count())
		return NULL;
	return policies[i];
}

const struct tls_manager_ops *tls_policy_find(const char *name)
{
	const struct tls_manager_ops *ops;

	for (size_t i = 0; name && (ops = tls_policy_at(i)) != NULL; i++)
		if (strcmp(ops->name, name) == 0)
			return ops;
	return NULL;
}

const char *tls_policy_unbuilt(const char *name)
{
#ifndef TLSSIM_HAVE_SEED
	if (name && strcmp(name, "seed") == 0)
		return TLSSIM_SEED_REASON;
#endif
	(void)name;
	return NULL;
}

const char *tls_policy_names(char *buf, size_t size)
{
	const struct tls_manager_ops *ops;
	size_t n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; (ops = tls_policy_at(i)) != NULL; i++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      i ? ", " : "", ops->name);
#ifndef TLSSIM_HAVE_SEED
	snprintf(buf + n, n < size ? size - n : 0, ", seed");
#endif
	return buf;
}
